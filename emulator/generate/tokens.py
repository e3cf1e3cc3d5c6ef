"""A deterministic stand-in tokenizer. It only has to be consistent: the usage counts a
response reports equal the number of pieces its text splits into, and a stream sends
exactly one piece per content chunk. Latin words (with their leading space) and single
CJK characters or punctuation marks are one token each."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

TOKEN_RE = re.compile(r"\s*[A-Za-z0-9_']+|\s*[^\sA-Za-z0-9_']|\s+")
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# OpenAI-style framing overhead per message and per reply, as in OpenAI's cookbook.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_REPLY = 3


def split_tokens(text: str) -> list[str]:
    """Pieces whose concatenation is exactly `text`."""
    return TOKEN_RE.findall(text)


def count_tokens(text: str) -> int:
    return len(TOKEN_RE.findall(text))


def content_text(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a parts list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, Mapping):
                text = part.get("text")
                if isinstance(text, str):
                    parts.append(text)
                elif isinstance(part.get("content"), str | list):
                    parts.append(content_text(part["content"]))
        return "\n".join(parts)
    return ""


def count_message_tokens(messages: Iterable[Any], extra: Iterable[str] = ()) -> int:
    total = TOKENS_PER_REPLY
    for message in messages:
        if isinstance(message, dict | Mapping):  # dict first: no ABC check (issue 9)
            total += TOKENS_PER_MESSAGE + count_tokens(content_text(message.get("content")))
    for text in extra:
        total += count_tokens(text)
    return total


def is_chinese(text: str) -> bool:
    return CJK_RE.search(text) is not None

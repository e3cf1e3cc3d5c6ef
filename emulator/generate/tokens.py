"""A deterministic stand-in tokenizer. It only has to be consistent: the usage counts a
response reports equal the number of pieces its text splits into, and a stream sends
exactly one piece per content chunk. Latin words (with their leading space) and single
CJK characters or punctuation marks are one token each."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

TOKEN_RE = re.compile(r"\s*[A-Za-z0-9_']+|\s*[^\sA-Za-z0-9_']|\s+")
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# OpenAI-style framing overhead per message and per reply, as in OpenAI's cookbook.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_REPLY = 3

# For isinstance: dict first, so a dict needs no ABC check; a tuple built once, as
# `dict | Mapping` written in the call builds a union on every call (issue 9).
DICT_OR_MAPPING = (dict, Mapping)
# Texts up to this long have their counts remembered (see count_tokens).
CACHED_TEXT_CHARS = 16_384


def split_tokens(text: str) -> list[str]:
    """Pieces whose concatenation is exactly `text`."""
    return TOKEN_RE.findall(text)


@lru_cache(maxsize=512)
def _count_tokens(text: str) -> int:
    return len(TOKEN_RE.findall(text))


def count_tokens(text: str) -> int:
    """len(split_tokens(text)). System prompts, tool lists and agent histories come back
    in request after request, and a rate limit's estimate counts a prompt before its
    usage does: remembered counts save the split (issue 9). Long texts are not kept."""
    if len(text) > CACHED_TEXT_CHARS:
        return len(TOKEN_RE.findall(text))
    return _count_tokens(text)


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
        if isinstance(message, DICT_OR_MAPPING):
            total += TOKENS_PER_MESSAGE + count_tokens(content_text(message.get("content")))
    for text in extra:
        total += count_tokens(text)
    return total


def is_chinese(text: str) -> bool:
    # isascii() reads a flag the string already has; most prompts are ASCII (issue 9).
    return not text.isascii() and CJK_RE.search(text) is not None

"""The emulator's "model": what to answer, independent of any wire format.

Shared by OpenAI chat, Anthropic messages, legacy completions and the Responses API, so
every format answers the same conversation the same way: text that honours max tokens
and stop sequences, tool calls chosen by a deterministic rule that lets agent loops
finish, and structured output that validates.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidRequest
from ..generate.text import Source, generate_tokens, reply_tokens
from ..generate.tokens import (
    DICT_OR_MAPPING,
    content_text,
    count_tokens,
    is_chinese,
    split_tokens,
)
from ..generate.tool_args import generate_instance

WORD_RE = re.compile(r"[a-z0-9]+")
CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
CJK_RE = re.compile(r"[\u3400-\u9fff]+")
STOPWORDS = frozenset({
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "is", "are", "be",
    "was", "what", "how", "who", "when", "where", "why", "which", "that", "this", "it", "me",
    "my", "i", "you", "your", "please", "can", "could", "would", "should", "do", "does", "get",
})


# Not frozen: a frozen dataclass's __init__ sets each field through object.__setattr__,
# ~4x the cost of a slots class's, once or twice a request (issue 9). Nothing mutates them.
@dataclass(slots=True)
class Conversation:
    """What an answer depends on, pulled from any wire format's request."""

    last_role: str  # "user", "assistant", "tool" (a tool result) or "system"
    last_user_text: str
    tool_result_text: str | None  # content of the trailing tool result(s), if any

    @property
    def chinese(self) -> bool:
        return is_chinese(self.last_user_text)  # which skips ASCII text at once


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    schema: Mapping[str, Any]


@dataclass(slots=True)  # not frozen, as Conversation (issue 9)
class TextAnswer:
    tokens: tuple[str, ...]
    # "stop" (natural end), "length" (max tokens) or "stop_sequence".
    reason: str
    text: str  # the tokens joined: compose_text has it already (issue 9)
    stop_sequence: str | None = None


def compose_text(
    rng: Source,
    conversation: Conversation,
    *,
    max_tokens: int | None,
    stop: Sequence[str] = (),
    text: str | None = None,
) -> TextAnswer:
    """Reply text (generated, or `text` when a fixture or structured output gives it),
    cut at the first stop sequence and at `max_tokens`."""
    split: list[str] | None = None  # text's own split, when already known
    if text is None:
        chinese = conversation.chinese
        tokens = reply_tokens(rng, chinese)
        text = "".join(tokens)
        if conversation.last_role == "tool" and conversation.tool_result_text:
            lead = "根据工具结果：" if chinese else "Based on the tool result: "
            text = lead + conversation.tool_result_text.strip()[:300] + " " + text
            tokens = split_tokens(text)
        split = tokens
    cut_at, hit = len(text), None
    for sequence in stop:
        if sequence and (index := text.find(sequence)) != -1 and index < cut_at:
            cut_at, hit = index, sequence
    if hit is not None:
        text = text[:cut_at]
    # Splitting is a partition (the pieces join back to the text), so splitting the join
    # of a split gives that split again: skipped on the hot path (issue 9).
    tokens = split if split is not None and hit is None else split_tokens(text)
    if max_tokens is not None and len(tokens) > max_tokens:
        kept = tuple(tokens[:max_tokens])
        return TextAnswer(kept, "length", "".join(kept))
    if hit is not None:
        return TextAnswer(tuple(tokens), "stop_sequence", text, hit)
    return TextAnswer(tuple(tokens), "stop", text)


def _words(text: str) -> set[str]:
    text = CAMEL_RE.sub(" ", text).replace("_", " ").replace("-", " ").lower()
    words = {w.rstrip("s") if len(w) > 3 else w for w in WORD_RE.findall(text)}
    words -= STOPWORDS
    for run in CJK_RE.findall(text):
        words.update(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    return {w for w in words if len(w) >= 2}


def score_tool(tool: ToolSpec, text: str) -> int:
    return len(_words(tool.name + " " + tool.description) & _words(text))


def plan_tool_calls(
    tools: Sequence[ToolSpec],
    conversation: Conversation,
    *,
    mode: str,
    named: str | None = None,
    parallel: bool = True,
    choice_param: str = "tool_choice",
) -> list[ToolSpec]:
    """Which tools to call. `mode`: "auto", "required" (any), "none" or "named".

    auto: a user turn calls the tools whose name/description share words with it (the
    best first, several when parallel); a turn ending with tool results gets text, so an
    agent loop always terminates. required: the best fitting tool(s), at least one.
    """
    if not tools or mode == "none":
        return []
    if mode == "named":
        for tool in tools:
            if tool.name == named:
                return [tool]
        raise InvalidRequest(f"Tool '{named}' is not among the provided tools.",
                             param=choice_param)
    scored = sorted(((score_tool(t, conversation.last_user_text), i, t)
                     for i, t in enumerate(tools)), key=lambda s: (-s[0], s[1]))
    fitting = [t for score, _, t in scored if score > 0]
    if mode == "required":
        fitting = fitting or [scored[0][2]]
    elif conversation.last_role != "user":
        return []
    return fitting[:3] if parallel else fitting[:1]


def tool_arguments(tool: ToolSpec, rng: random.Random, conversation: Conversation) -> str:
    value = generate_instance(tool.schema or {"type": "object"}, rng,
                              conversation.last_user_text)
    if not isinstance(value, dict):
        value = {}
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def structured_text(schema: Mapping[str, Any] | None, rng: random.Random,
                    conversation: Conversation) -> str:
    """JSON text for `response_format`: an instance of the schema, or any object."""
    if schema is None:
        key = "回答" if conversation.chinese else "answer"
        value: Any = {key: "".join(generate_tokens(rng, conversation.chinese, 12))}
    else:
        value = generate_instance(schema, rng, conversation.last_user_text)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def fit_calls(calls: Sequence[tuple[str, str]],
              max_tokens: int | None) -> tuple[list[tuple[str, str]], bool]:
    """The (name, arguments JSON) tool calls within `max_tokens`, and whether one was cut:
    past the limit the model stops mid-call, as OpenAI's and Anthropic's do, with the
    arguments cut where the tokens ran out (not valid JSON); the calls after it are never
    made."""
    if max_tokens is None:
        return list(calls), False
    kept: list[tuple[str, str]] = []
    left = max_tokens
    for name, arguments in calls:
        cost = count_tokens(name) + count_tokens(arguments)
        if cost <= left:
            kept.append((name, arguments))
            left -= cost
            continue
        if left < count_tokens(name):  # not even its name fits: the call never starts
            return kept, True          # (usage stays within the limit)
        room = max(0, left - count_tokens(name))
        kept.append((name, "".join(split_tokens(arguments)[:room])))
        return kept, True
    return kept, False


def fragments(text: str, size: int = 8) -> list[str]:
    """Pieces of a JSON text as streamed tool arguments (first may be empty)."""
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def stop_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def describe_messages(messages: Sequence[Any], tool_roles: frozenset[str] = frozenset(
        {"tool", "function"})) -> Conversation:
    """Conversation facts from OpenAI-style messages."""
    last_role = "user"
    last_user = ""
    results: list[str] = []
    for message in messages:
        if not isinstance(message, DICT_OR_MAPPING):
            continue
        role = str(message.get("role", "user"))
        if role in tool_roles:
            results.append(content_text(message.get("content")))
            last_role = "tool"
            continue
        results = []
        last_role = role if role != "developer" else "system"
        if role == "user":
            last_user = content_text(message.get("content"))
    return Conversation(last_role, last_user, "\n".join(results) if results else None)

"""Anthropic Messages: `POST /v1/messages`, JSON and the SSE event sequence exactly as the
`anthropic` SDK parses them (shared/reference/wire-formats.md, Anthropic sections).

The answer itself comes from answers.py, like every other chat format; this module only
reads Anthropic requests and writes Anthropic messages and events."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import sse
from ..errors import ContextTooLong, InvalidRequest
from ..generate.partial_json import partial_json
from ..generate.tokens import content_text, count_message_tokens, count_tokens
from ..jsonutil import dumps
from .answers import (
    Conversation,
    ToolSpec,
    compose_text,
    fit_calls,
    fragments,
    plan_tool_calls,
    stop_list,
    structured_text,
    tool_arguments,
)
from .base import Call, JSONReply, Reply, StreamReply

# compose_text's reasons -> Anthropic stop_reason; canned OpenAI-style reasons map too.
STOP_REASON = {"stop": "end_turn", "length": "max_tokens", "stop_sequence": "stop_sequence",
               "tool_calls": "tool_use"}
# xiaoai "9. 使用限制" allows base64 images; Anthropic's supported image types.
IMAGE_MEDIA_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


@dataclass(frozen=True)
class Block:
    """One content block of the answer: text (with its tokens) or a tool_use."""

    type: str
    text: str = ""
    tokens: tuple[str, ...] = ()
    id: str = ""
    name: str = ""
    input_json: str = "{}"

    @property
    def output_tokens(self) -> int:
        if self.type == "text":
            return len(self.tokens)
        return count_tokens(self.name) + count_tokens(self.input_json)

    def render(self) -> dict[str, Any]:
        if self.type == "text":
            return {"type": "text", "text": self.text}
        # A call cut by max_tokens is read as the anthropic SDK reads its stream.
        value = partial_json(self.input_json)
        return {"type": "tool_use", "id": self.id, "name": self.name,
                "input": value if isinstance(value, dict) else {}}


@dataclass(frozen=True)
class MessageResult:
    id: str
    model: str
    blocks: tuple[Block, ...]
    stop_reason: str
    stop_sequence: str | None
    input_tokens: int
    output_tokens: int


def describe_anthropic_messages(messages: Sequence[Any]) -> Conversation:
    """Conversation facts from Anthropic messages: a user turn made only of tool_result
    blocks counts as tool results (so an agent loop gets text and ends)."""
    last_role, last_user, results = "user", "", None
    for message in messages:
        if not isinstance(message, Mapping):
            continue
        role = str(message.get("role", "user"))
        content = message.get("content")
        blocks = content if isinstance(content, list) else []
        tool_results = [b for b in blocks if isinstance(b, Mapping)
                        and b.get("type") == "tool_result"]
        if role == "user" and tool_results and len(tool_results) == len(blocks):
            last_role = "tool"
            results = "\n".join(content_text(b.get("content")) for b in tool_results)
            continue
        last_role, results = role, None
        if role == "user":
            last_user = content_text(content)
    return Conversation(last_role, last_user, results)


def check_images(messages: Sequence[Any]) -> None:
    """Base64 image blocks must decode and have a supported media type (400 naming the
    block otherwise): the schema checks shape, this checks the bytes."""
    for i, message in enumerate(messages):
        content = message.get("content") if isinstance(message, Mapping) else None
        for j, block in enumerate(content if isinstance(content, list) else ()):
            source = block.get("source") if isinstance(block, Mapping) else None
            if block.get("type") != "image" or not isinstance(source, Mapping) \
                    or source.get("type") != "base64":
                continue
            where = f"messages[{i}].content[{j}].source"
            if source.get("media_type") not in IMAGE_MEDIA_TYPES:
                raise InvalidRequest(
                    f"{where}.media_type: Image does not match the provided media type; "
                    f"supported types are {', '.join(sorted(IMAGE_MEDIA_TYPES))}.",
                    param=f"{where}.media_type")
            try:
                base64.b64decode(str(source.get("data", "")), validate=True)
            except (binascii.Error, ValueError):
                raise InvalidRequest(f"{where}.data: The image is not valid base64 data.",
                                     param=f"{where}.data") from None


def read_tools(body: Mapping[str, Any]) -> list[ToolSpec]:
    return [ToolSpec(t["name"], str(t.get("description") or ""),
                     t.get("input_schema") or {"type": "object"})
            for t in body.get("tools") or () if isinstance(t, Mapping)
            and isinstance(t.get("name"), str)]


def tool_mode(choice: Any) -> tuple[str, str | None, bool]:
    """(answers mode, named tool, parallel) from Anthropic's tool_choice."""
    if not isinstance(choice, Mapping):
        return "auto", None, True
    parallel = not choice.get("disable_parallel_tool_use", False)
    kind = choice.get("type")
    if kind == "any":
        return "required", None, parallel
    if kind == "tool":
        return "named", choice.get("name"), parallel
    return ("none" if kind == "none" else "auto"), None, parallel


def system_text(system: Any) -> str:
    return content_text(system) if system is not None else ""


def prompt_tokens(body: Mapping[str, Any]) -> int:
    extra = [system_text(body.get("system"))]
    if body.get("tools"):
        extra.append(dumps(body["tools"]).decode())
    return count_message_tokens(body["messages"], extra)


def input_json(arguments: Any) -> str:
    """A tool_use input as compact JSON text; a fixture's arguments may be an object or
    JSON text, and anything that is not an object becomes {} (input is always one)."""
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except ValueError:
            arguments = {}
    return dumps(arguments if isinstance(arguments, Mapping) else {}).decode()


def output_schema(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The JSON schema the answer's text must follow (structured outputs:
    `output_config.format`, else the beta's `output_format`), or None; a format that
    names no schema object is refused, as Anthropic's request validation does."""
    config = body.get("output_config")
    if config is not None and not isinstance(config, Mapping):
        raise InvalidRequest("output_config: Input should be a valid dictionary",
                             param="output_config")
    where, fmt = "output_config.format", config.get("format") if config else None
    if fmt is None:
        where, fmt = "output_format", body.get("output_format")
    if fmt is None:
        return None
    if not isinstance(fmt, Mapping) or fmt.get("type") != "json_schema":
        raise InvalidRequest(f"{where}: Input should be an object with 'type': "
                             "'json_schema'", param=where)
    schema = fmt.get("schema")
    if not isinstance(schema, Mapping):
        raise InvalidRequest(f"{where}.schema: Field required (a JSON schema object)",
                             param=f"{where}.schema")
    return schema


def plan_blocks(call: Call, conversation: Conversation, max_tokens: int,
                schema: Mapping[str, Any] | None) -> tuple[list[Block], str, str | None]:
    """The answer's blocks, its stop_reason and stop_sequence; `schema`: the one its text
    must follow (structured outputs)."""
    body, canned = call.body, call.canned
    # Text reads the draw stream; only tool arguments seed its rng (a 4.5 us seeding).
    draws = call.seed.draws("choice:0")
    if canned is not None and canned.tool_calls:
        planned = [(c["name"], c.get("arguments", "{}")) for c in canned.tool_calls]
    elif canned is not None and canned.content is not None:
        planned = []
    else:
        mode, named, parallel = tool_mode(body.get("tool_choice"))
        chosen = plan_tool_calls(read_tools(body), conversation, mode=mode, named=named,
                                 parallel=parallel)
        planned = [(t.name, tool_arguments(t, draws.rng, conversation)) for t in chosen]
    if planned:
        blocks = []
        if canned is not None and canned.content:
            lead = compose_text(draws, conversation, max_tokens=None, text=canned.content)
            blocks.append(Block("text", lead.text, lead.tokens))
            max_tokens = max(0, max_tokens - len(lead.tokens))
        # Past max_tokens the call is cut mid-JSON, and stop_reason says so (answers.py).
        fitted, cut = fit_calls([(name, input_json(arguments)) for name, arguments in planned],
                                max_tokens)
        blocks.extend(Block("tool_use", id=call.make_id("tool", salt=f"tool:{k}"), name=name,
                            input_json=text) for k, (name, text) in enumerate(fitted))
        return blocks, "max_tokens" if cut else "tool_use", None
    text = canned.content if canned is not None else None
    if text is None and schema is not None:
        text = structured_text(schema, draws.rng, conversation)
    answer = compose_text(draws, conversation, max_tokens=max_tokens,
                          stop=stop_list(body.get("stop_sequences")), text=text)
    reason = STOP_REASON[answer.reason]
    if canned is not None and canned.finish_reason:
        reason = STOP_REASON.get(canned.finish_reason, canned.finish_reason)
    return [Block("text", answer.text, answer.tokens)], reason, answer.stop_sequence


def create_message(call: Call) -> MessageResult:
    body = call.body
    messages = body["messages"]
    if not messages:
        raise InvalidRequest("messages: at least one message is required.", param="messages")
    check_images(messages)
    schema = output_schema(body)
    input_tokens = prompt_tokens(body)
    model = call.model
    if model is not None and model.context_window and input_tokens > model.context_window:
        raise ContextTooLong(f"prompt is too long: {input_tokens} tokens > "
                             f"{model.context_window} maximum", param="messages")
    max_tokens = int(body["max_tokens"])
    if model is not None and model.max_output_tokens and max_tokens > model.max_output_tokens:
        raise InvalidRequest(
            f"max_tokens: {max_tokens} > {model.max_output_tokens}, which is the maximum "
            f"allowed number of output tokens for {model.id}", param="max_tokens")
    conversation = describe_anthropic_messages(messages)
    if max_tokens == 0:  # a prompt-cache pre-warm: nothing is generated (wire-formats 2.1)
        blocks, reason, stop_sequence = [], "max_tokens", None
    else:
        blocks, reason, stop_sequence = plan_blocks(call, conversation, max_tokens, schema)
    output_tokens = sum(b.output_tokens for b in blocks)
    usage = call.canned.usage if call.canned is not None and call.canned.usage else None
    if usage:
        input_tokens = int(usage.get("prompt_tokens") or input_tokens)
        output_tokens = int(usage.get("completion_tokens") or output_tokens)
    return MessageResult(call.make_id("message"), str(body["model"]), tuple(blocks), reason,
                         stop_sequence, input_tokens, output_tokens)


def render_message(result: MessageResult) -> dict[str, Any]:
    """Key order as in xiaoai's "3.1 响应示例" (model first)."""
    return {"model": result.model, "id": result.id, "type": "message", "role": "assistant",
            "content": [b.render() for b in result.blocks],
            "stop_reason": result.stop_reason, "stop_sequence": result.stop_sequence,
            "usage": {"input_tokens": result.input_tokens,
                      "output_tokens": result.output_tokens}}


def stream_events(result: MessageResult) -> list[bytes]:
    """message_start, then per block content_block_start (a ping after the first),
    deltas and content_block_stop, then message_delta (cumulative usage), message_stop."""
    start = render_message(result) | {"content": [], "stop_reason": None,
                                      "stop_sequence": None}
    start["usage"] = {"input_tokens": result.input_tokens,
                      "output_tokens": min(1, result.output_tokens)}
    frames = [sse.frame_event("message_start", {"type": "message_start", "message": start})]
    if not result.blocks:  # max_tokens 0: the ping still comes, with no block to follow
        frames.append(sse.frame_event("ping", {"type": "ping"}))
    for index, block in enumerate(result.blocks):
        opening = ({"type": "text", "text": ""} if block.type == "text" else
                   {"type": "tool_use", "id": block.id, "name": block.name, "input": {}})
        frames.append(sse.frame_event("content_block_start", {
            "type": "content_block_start", "index": index, "content_block": opening}))
        if index == 0:
            frames.append(sse.frame_event("ping", {"type": "ping"}))
        if block.type == "text":
            deltas = [{"type": "text_delta", "text": t} for t in block.tokens]
        else:
            deltas = [{"type": "input_json_delta", "partial_json": piece}
                      for piece in ["", *fragments(block.input_json)]]
        frames.extend(sse.frame_event("content_block_delta", {
            "type": "content_block_delta", "index": index, "delta": d}) for d in deltas)
        frames.append(sse.frame_event("content_block_stop",
                                      {"type": "content_block_stop", "index": index}))
    frames.append(sse.frame_event("message_delta", {
        "type": "message_delta",
        "delta": {"stop_reason": result.stop_reason, "stop_sequence": result.stop_sequence},
        "usage": {"input_tokens": result.input_tokens,
                  "output_tokens": result.output_tokens}}))
    frames.append(sse.frame_event("message_stop", {"type": "message_stop"}))
    return frames


def handle_messages(call: Call) -> Reply:
    result = create_message(call)
    if call.body.get("stream"):
        return StreamReply(stream_events(result))
    return JSONReply(render_message(result))

"""OpenAI Responses API: `POST /v1/responses` (apiyi "Responses端点"; wire-formats.md 1.5).

`input` a string or a list of items (messages with string or part-list content,
`function_call` and `function_call_output` items), `instructions`, `max_output_tokens`,
function `tools` (answered with `function_call` output items by the same rule as chat),
`text.format` (json_schema / json_object: structured text), `include:
["message.output_text.logprobs"]` with `top_logprobs` (the output text's token logprobs, as
chat's). The Response object carries what the SDK's `output_text` reads; `"stream": true`
sends the event sequence (openai_responses_stream.py). Ids use OpenAI's prefixes (`resp_`,
`msg_`, `fc_`, `call_`): they belong to this wire format, not to a gateway.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ContextTooLong, InvalidRequest
from ..generate.ids import make_id
from ..generate.logprobs import token_logprobs
from ..generate.tokens import content_text, count_message_tokens, count_tokens
from ..jsonutil import dumps
from .answers import (
    Conversation,
    ToolSpec,
    compose_text,
    fit_calls,
    plan_tool_calls,
    structured_text,
    tool_arguments,
)
from .base import Call, JSONReply, Reply, StreamReply
from .openai_responses_store import check_previous, keep, previous_tokens
from .openai_responses_stream import response_events
from .strict_schemas import check_strict_format, check_strict_function, mentions_json

# The `include` value that asks for the output text's logprobs (the others name outputs of
# tools the emulator does not run).
LOGPROBS = "message.output_text.logprobs"


@dataclass
class ResponseResult:
    """The finished answer: the Response object and, for streaming, the tokens of each
    message item's text (by output index)."""

    response: dict[str, Any]
    tokens: dict[int, tuple[str, ...]] = field(default_factory=dict)


def read_input(body: Mapping[str, Any]) -> tuple[Conversation, list[dict[str, Any]]]:
    """The conversation facts and the input as chat-like messages (for token counts)."""
    value = body.get("input")
    if isinstance(value, str):
        return Conversation("user", value, None), [{"role": "user", "content": value}]
    if not isinstance(value, list) or not value:
        raise InvalidRequest("'input' must be a string or a non-empty array of input "
                             "items.", param="input")
    last_role, last_user, results = "user", "", []
    messages: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, Mapping):
            continue
        kind = item.get("type", "message")
        if kind == "function_call_output":
            output = item.get("output")
            text = output if isinstance(output, str) else content_text(output)
            results.append(text)
            last_role = "tool"
            messages.append({"role": "tool", "content": text})
        elif kind == "function_call":
            results, last_role = [], "assistant"
            messages.append({"role": "assistant", "content": str(item.get("arguments", ""))})
        elif kind == "message" and "role" in item:
            text = content_text(item.get("content"))
            role = str(item["role"])
            results, last_role = [], "system" if role == "developer" else role
            if role == "user":
                last_user = text
            messages.append({"role": role, "content": text})
    tool_text = "\n".join(results) if results else None
    return Conversation(last_role, last_user, tool_text), messages


def check_output_rules(body: Mapping[str, Any], messages: list[dict[str, Any]]) -> None:
    """JSON mode needs the word "json" in the input messages (instructions do not count),
    and a schema sent with `strict: true` must keep the strict rules (strict_schemas.py)."""
    text = body.get("text")
    fmt = text.get("format") if isinstance(text, Mapping) else None
    if isinstance(fmt, Mapping):
        if fmt.get("type") == "json_object" and not mentions_json(
                str(m["content"]) for m in messages):
            raise InvalidRequest("Response input messages must contain the word 'json' in "
                                 "some form to use 'text.format' of type 'json_object'.",
                                 param="text.format")
        if fmt.get("type") == "json_schema" and fmt.get("strict") is True:
            check_strict_format(fmt.get("name"), fmt.get("schema"), "text.format.schema")
    for index, tool in enumerate(body.get("tools") or ()):
        if isinstance(tool, Mapping) and tool.get("type") == "function" \
                and tool.get("strict") is True:
            check_strict_function(tool.get("name"), tool.get("parameters"),
                                  f"tools[{index}].parameters")


def read_tools(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Function tools as the Response object echoes them (other tool types are not
    emulated and are left out)."""
    tools = []
    for tool in body.get("tools") or ():
        if isinstance(tool, Mapping) and tool.get("type") == "function" \
                and isinstance(tool.get("name"), str):
            tools.append({"type": "function", "name": tool["name"],
                          "description": tool.get("description"),
                          "parameters": tool.get("parameters") or {"type": "object"},
                          "strict": tool.get("strict", True)})
    return tools


def tool_mode(choice: Any) -> tuple[str, str | None]:
    if isinstance(choice, Mapping):
        return "named", str(choice.get("name", ""))
    if choice in ("none", "required"):
        return str(choice), None
    return "auto", None


def text_format(body: Mapping[str, Any]) -> tuple[dict[str, Any], bool, Any]:
    """(the `text` object echoed, wants JSON, its schema)."""
    text = body.get("text")
    fmt = text.get("format") if isinstance(text, Mapping) else None
    if not isinstance(fmt, Mapping):
        return {"format": {"type": "text"}, "verbosity": "medium"}, False, None
    echoed = {"format": dict(fmt), "verbosity": text.get("verbosity") or "medium"}  # type: ignore[union-attr]
    if fmt.get("type") == "json_schema":
        schema = fmt.get("schema")
        return echoed, True, schema if isinstance(schema, Mapping) else {"type": "object"}
    return echoed, fmt.get("type") == "json_object", None


def new_id(call: Call, prefix: str, salt: str) -> str:
    return make_id(call.seed.rng(f"id:{salt}"), prefix, 48 if prefix == "resp_" else 32,
                   "hex" if prefix != "call_" else "alnum")


def plan_output(call: Call, conversation: Conversation, tools: list[dict[str, Any]],
                wants_json: bool, schema: Any) -> tuple[list[dict[str, Any]],
                                                        dict[int, tuple[str, ...]], int, bool]:
    """(output items, message tokens by index, output tokens, cut by max_output_tokens)."""
    body, canned = call.body, call.canned
    # Text reads the draw stream; only tools and JSON output seed its rng.
    draws = call.seed.draws("output")
    planned: list[tuple[str, str]]
    if canned is not None and canned.tool_calls:
        planned = [(c["name"], c["arguments"] if isinstance(c.get("arguments"), str)
                    else dumps(c.get("arguments", {})).decode()) for c in canned.tool_calls]
    elif canned is not None and canned.content is not None:
        planned = []
    else:
        specs = [ToolSpec(t["name"], str(t["description"] or ""), t["parameters"])
                 for t in tools]
        mode, named = tool_mode(body.get("tool_choice"))
        chosen = plan_tool_calls(specs, conversation, mode=mode, named=named,
                                 parallel=body.get("parallel_tool_calls") is not False)
        planned = [(t.name, tool_arguments(t, draws.rng, conversation)) for t in chosen]
    if planned:
        # Past max_output_tokens the last call is cut mid-JSON (answers.fit_calls).
        fitted, cut = fit_calls(planned, body.get("max_output_tokens"))
        items = [{"id": new_id(call, "fc_", f"fc:{i}"), "type": "function_call",
                  "status": "incomplete" if cut and i == len(fitted) - 1 else "completed",
                  "arguments": arguments, "call_id": new_id(call, "call_", f"call:{i}"),
                  "name": name}
                 for i, (name, arguments) in enumerate(fitted)]
        used = sum(count_tokens(name) + count_tokens(arguments) for name, arguments in fitted)
        return items, {}, used, cut
    text = canned.content if canned is not None else None
    if text is None and wants_json:
        text = structured_text(schema, draws.rng, conversation)
    answer = compose_text(draws, conversation, max_tokens=body.get("max_output_tokens"),
                          text=text)
    cut = answer.reason == "length" or (canned is not None and canned.finish_reason == "length")
    logprobs: list[dict[str, Any]] = []
    if LOGPROBS in (body.get("include") or ()):
        logprobs = token_logprobs(call.seed.draws("logprobs"), answer.tokens,
                                  int(body.get("top_logprobs") or 0))
    item = {"id": new_id(call, "msg_", "msg"), "type": "message",
            "status": "incomplete" if cut else "completed", "role": "assistant",
            "content": [{"type": "output_text", "text": answer.text, "annotations": [],
                         "logprobs": logprobs}]}
    return [item], {0: answer.tokens}, len(answer.tokens), cut


def create_response(call: Call, carried_tokens: int = 0) -> ResponseResult:
    """The response to `call`; `carried_tokens`: the earlier turns of a conversation
    continued with `previous_response_id`, part of its input."""
    body = call.body
    conversation, messages = read_input(body)
    check_output_rules(body, messages)
    instructions = body.get("instructions")
    if isinstance(instructions, str):
        messages.insert(0, {"role": "system", "content": instructions})
    tools = read_tools(body)
    input_tokens = carried_tokens + count_message_tokens(
        messages, [dumps(tools).decode()] if tools else [])
    model = call.model
    if model is not None and model.context_window and input_tokens > model.context_window:
        raise ContextTooLong(
            f"Your input exceeds the context window of this model ({input_tokens} tokens "
            f"> {model.context_window}). Please adjust your input and try again.",
            param="input")
    echoed_text, wants_json, schema = text_format(body)
    output, tokens, output_tokens, cut = plan_output(call, conversation, tools, wants_json,
                                                     schema)
    if call.canned is not None and call.canned.usage:
        input_tokens = int(call.canned.usage.get("prompt_tokens", input_tokens))
        output_tokens = int(call.canned.usage.get("completion_tokens", output_tokens))
    created = int(call.now)
    response = {
        "id": new_id(call, "resp_", "resp"), "object": "response", "created_at": created,
        "status": "incomplete" if cut else "completed", "background": False,
        "completed_at": None if cut else created, "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if cut else None,
        "instructions": instructions if isinstance(instructions, str) else None,
        "max_output_tokens": body.get("max_output_tokens"), "max_tool_calls": None,
        "model": str(body["model"]), "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls") is not False,
        "previous_response_id": body.get("previous_response_id"),
        "reasoning": {"effort": None, "summary": None}, "service_tier": "default",
        "store": body.get("store") is not False,
        "temperature": number_or(body.get("temperature"), 1.0), "text": echoed_text,
        "tool_choice": body.get("tool_choice", "auto"), "tools": tools,
        "top_logprobs": body.get("top_logprobs") or 0,
        "top_p": number_or(body.get("top_p"), 1.0),
        "truncation": body.get("truncation") or "disabled",
        "usage": {"input_tokens": input_tokens,
                  # Both required by the spec's ResponseUsage (and the SDK's model).
                  "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
                  "output_tokens": output_tokens,
                  "output_tokens_details": {"reasoning_tokens": 0},
                  "total_tokens": input_tokens + output_tokens},
        "metadata": body.get("metadata") or {},
    }
    # `user` is a string when present, never null (spec ModelResponseProperties.user).
    if isinstance(body.get("user"), str):
        response["user"] = body["user"]
    return ResponseResult(response, tokens)


def number_or(value: Any, default: float) -> float:
    return float(value) if isinstance(value, int | float) else default


def handle_responses(call: Call) -> Reply:
    check_previous(call)
    result = create_response(call, previous_tokens(call))
    keep(call, result.response)
    if call.body.get("stream"):
        return StreamReply(response_events(result.response, result.tokens))
    return JSONReply(result.response)

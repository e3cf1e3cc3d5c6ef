"""OpenAI chat completions: `POST /v1/chat/completions`, JSON and SSE chunk streams, exactly
as the `openai` SDK parses them (shared/reference/wire-formats.md 1.3-1.4)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .. import sse
from ..errors import ContextTooLong, InvalidRequest
from ..generate.ids import make_id
from ..generate.logprobs import token_logprobs
from ..generate.text import generate_text
from ..generate.tokens import content_text, count_message_tokens, count_tokens
from ..jsonutil import dumps
from .answers import (
    Conversation,
    TextAnswer,
    ToolSpec,
    compose_text,
    describe_messages,
    fit_calls,
    fragments,
    plan_tool_calls,
    stop_list,
    structured_text,
    tool_arguments,
)
from .base import Call, JSONReply, Reply, StreamReply
from .strict_schemas import check_strict_format, check_strict_function, mentions_json

FINISH = {"stop": "stop", "stop_sequence": "stop", "length": "length"}


# Slotted records, not frozen ones: a frozen dataclass's __init__ sets each field through
# object.__setattr__, and every answer builds several (issue 9).
@dataclass(slots=True)
class ToolCall:
    id: str
    name: str
    arguments: str


@dataclass(slots=True)
class ChatChoice:
    index: int
    content: str | None
    tokens: tuple[str, ...]
    tool_calls: tuple[ToolCall, ...]
    finish_reason: str
    # {"content": [token logprobs] or None, "refusal": None} when `logprobs` was asked for.
    logprobs: dict[str, Any] | None = None
    # Asked for with the deprecated `functions`: its one call is `message.function_call`.
    legacy: bool = False
    # A reasoning model's tokens of thought, sent before the answer (`reasoning_content`).
    reasoning: tuple[str, ...] | None = None

    @property
    def completion_tokens(self) -> int:
        thought = len(self.reasoning) if self.reasoning else 0
        if self.tool_calls:
            return thought + sum(count_tokens(c.name) + count_tokens(c.arguments)
                                 for c in self.tool_calls)
        return thought + len(self.tokens)


@dataclass(slots=True)
class ChatResult:
    id: str
    created: int
    model: str
    choices: tuple[ChatChoice, ...]
    prompt_tokens: int
    completion_tokens: int


def read_tools(body: Mapping[str, Any]) -> list[ToolSpec]:
    tools = []
    for tool in body.get("tools") or ():
        function = tool.get("function") if isinstance(tool, Mapping) else None
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            tools.append(ToolSpec(function["name"], str(function.get("description") or ""),
                                  function.get("parameters") or {"type": "object"}))
    return tools


def read_functions(body: Mapping[str, Any]) -> list[ToolSpec]:
    """The deprecated `functions` list, as the tools it stands for."""
    return read_tools({"tools": [{"function": f} for f in body.get("functions") or ()]})


def function_mode(choice: Any) -> tuple[str, str | None]:
    """The deprecated `function_call`: "none", "auto" (its default with functions) or
    {"name": ...}, as a tool mode."""
    if isinstance(choice, Mapping):
        name = choice.get("name")
        return "named", name if isinstance(name, str) else None
    return ("none", None) if choice == "none" else ("auto", None)


def tool_mode(choice: Any) -> tuple[str, str | None]:
    # `is not None` / dict first: an ABC isinstance costs ~0.25 us a call (issue 9).
    if choice is not None and isinstance(choice, dict | Mapping):
        function = choice.get("function")
        name = function.get("name") if isinstance(function, Mapping) else None
        return "named", name
    if choice in ("none", "required"):
        return choice, None
    return "auto", None


def response_schema(body: Mapping[str, Any]) -> tuple[bool, Mapping[str, Any] | None]:
    """(wants JSON, its schema) from `response_format`."""
    fmt = body.get("response_format")
    if fmt is None or not isinstance(fmt, dict | Mapping):  # no ABC check when absent
        return False, None
    if fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        return True, schema if isinstance(schema, Mapping) else {"type": "object"}
    return fmt.get("type") == "json_object", None


def build_choice(call: Call, index: int, conversation: Conversation,
                 max_tokens: int | None) -> ChatChoice:
    body = call.body
    # Text reads the choice's draw stream; only tools and JSON output seed its rng.
    draws = call.seed.draws(f"choice:{index}")
    canned = call.canned
    reasoning = thought = None
    if canned is not None and canned.reasoning is not None:  # a fixture's, for any model
        thought = compose_text(draws, conversation, max_tokens=max_tokens,
                               text=canned.reasoning)
    elif canned is None and call.model is not None and call.model.reasoning:
        thought = think(call, index, conversation, max_tokens)
    if thought is not None:
        # The thought comes first and spends the same budget (DeepSeek's max_tokens):
        # cut within it, the answer is empty.
        reasoning = thought.tokens
        if thought.reason == "length":
            return ChatChoice(index, "", (), (), "length", None, False, reasoning)
        if max_tokens is not None:
            max_tokens -= len(reasoning)
    # The deprecated `functions` stand for tools when there are none: one call at most.
    legacy = "tools" not in body and "functions" in body
    tools = read_tools(body) if "tools" in body else read_functions(body) if legacy else []
    if not tools and canned is None:
        planned = []  # nothing to call: the usual chat turn skips the planner (issue 9)
    elif canned is not None and canned.tool_calls:
        planned = [(c["name"], c.get("arguments", "{}")) for c in canned.tool_calls]
    elif canned is not None and canned.content is not None:
        planned = []
    else:
        mode, named = function_mode(body.get("function_call")) if legacy \
            else tool_mode(body.get("tool_choice"))
        chosen = plan_tool_calls(tools, conversation, mode=mode, named=named,
                                 parallel=not legacy and body.get("parallel_tool_calls")
                                 is not False,
                                 choice_param="function_call" if legacy else "tool_choice")
        planned = [(t.name, tool_arguments(t, draws.rng, conversation)) for t in chosen]
    if planned:
        calls = tuple(
            ToolCall(make_id(draws.rng, "call_", 24), name,
                     arguments if isinstance(arguments, str) else dumps(arguments).decode())
            for name, arguments in planned[:1 if legacy else None])
        calls, finish = fit_tool_calls(calls, max_tokens)
        if legacy and finish == "tool_calls":
            finish = "function_call"
        return ChatChoice(index, None, (), calls, finish,
                          {"content": None, "refusal": None} if wants_logprobs(body) else None,
                          legacy, reasoning)
    text = canned.content if canned is not None else None
    wants_json, schema = response_schema(body)
    if text is None and wants_json:
        text = structured_text(schema, draws.rng, conversation)
    answer = compose_text(draws, conversation, max_tokens=max_tokens,
                          stop=stop_list(body.get("stop")), text=text)
    finish = (canned.finish_reason if canned is not None and canned.finish_reason
              else FINISH[answer.reason])
    logprobs = None
    if wants_logprobs(body):
        logprobs = {"content": token_logprobs(call.seed.draws(f"logprobs:{index}"),
                                              answer.tokens, int(body.get("top_logprobs") or 0)),
                    "refusal": None}
    return ChatChoice(index, answer.text, answer.tokens, (), finish, logprobs, False, reasoning)


def think(call: Call, index: int, conversation: Conversation,
          max_tokens: int | None) -> TextAnswer:
    """A reasoning model's thought, drawn on its own stream (the answer's draws do not move
    with its length)."""
    draws = call.seed.draws(f"reasoning:{index}")
    lead = "嗯，让我想一想。" if conversation.chinese else "Okay, let me think about this. "
    return compose_text(draws, conversation, max_tokens=max_tokens,
                        text=lead + generate_text(draws, conversation.chinese))


def fit_tool_calls(calls: tuple[ToolCall, ...],
                   max_tokens: int | None) -> tuple[tuple[ToolCall, ...], str]:
    """The calls within `max_tokens` (answers.fit_calls) and the finish_reason: "length"
    when one was cut."""
    fitted, cut = fit_calls([(c.name, c.arguments) for c in calls], max_tokens)
    kept = tuple(ToolCall(c.id, name, arguments)
                 for c, (name, arguments) in zip(calls, fitted, strict=False))
    return kept, "length" if cut else "tool_calls"


def wants_logprobs(body: Mapping[str, Any]) -> bool:
    return body.get("logprobs") is True


def check_output_rules(body: Mapping[str, Any]) -> None:
    """What the API refuses before generating: JSON mode without the word "json" in the
    conversation, and a schema sent with `strict: true` that breaks the strict rules."""
    fmt = body.get("response_format")
    if fmt is not None and isinstance(fmt, dict | Mapping):
        kind = fmt.get("type")
        if kind == "json_object" and not mentions_json(
                content_text(m.get("content")) for m in body["messages"]
                if isinstance(m, Mapping)):
            raise InvalidRequest("'messages' must contain the word 'json' in some form, to "
                                 "use 'response_format' of type 'json_object'.",
                                 param="messages")
        spec = fmt.get("json_schema")
        if kind == "json_schema" and isinstance(spec, Mapping) and spec.get("strict") is True:
            check_strict_format(spec.get("name"), spec.get("schema"), "response_format")
    for index, tool in enumerate(body.get("tools") or ()):
        function = tool.get("function") if isinstance(tool, Mapping) else None
        if isinstance(function, Mapping) and function.get("strict") is True:
            check_strict_function(function.get("name"), function.get("parameters"),
                                  f"tools[{index}].function.parameters")


def complete_chat(call: Call) -> ChatResult:
    body = call.body
    messages = body["messages"]
    if not messages:
        raise InvalidRequest("'messages' must contain at least one message.", param="messages")
    check_output_rules(body)
    # Tool definitions are part of the prompt (the deprecated `functions` likewise).
    defined = body.get("tools") or body.get("functions")
    extra = [dumps(defined).decode()] if defined else []
    prompt_tokens = count_message_tokens(messages, extra)
    model = call.model
    if model is not None and model.context_window and prompt_tokens > model.context_window:
        raise ContextTooLong(
            f"This model's maximum context length is {model.context_window} tokens. However, "
            f"your messages resulted in {prompt_tokens} tokens. Please reduce the length of "
            "the messages.", param="messages")
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    if model is not None and model.max_output_tokens and max_tokens is not None \
            and max_tokens > model.max_output_tokens:
        raise InvalidRequest(
            f"max_tokens is too large: {max_tokens}. This model supports at most "
            f"{model.max_output_tokens} completion tokens.", param="max_tokens")
    window = model.context_window if model is not None else None
    if window and max_tokens is not None and prompt_tokens + max_tokens > window:
        # Prompt and completion must fit together: OpenAI refuses rather than trims.
        raise ContextTooLong(
            f"This model's maximum context length is {window} tokens. However, you "
            f"requested {prompt_tokens + max_tokens} tokens ({prompt_tokens} in the "
            f"messages, {max_tokens} in the completion). Please reduce the length of the "
            "messages or completion.", param="messages")
    if window and max_tokens is None:
        max_tokens = window - prompt_tokens  # an answer stops where the window is full
    conversation = describe_messages(messages)
    n = int(body.get("n") or 1)
    choices = (build_choice(call, 0, conversation, max_tokens),) if n == 1 else tuple(
        build_choice(call, i, conversation, max_tokens) for i in range(n))
    completion_tokens = choices[0].completion_tokens if n == 1 else \
        sum(c.completion_tokens for c in choices)
    usage = call.canned.usage if call.canned is not None and call.canned.usage else None
    if usage:
        prompt_tokens = int(usage.get("prompt_tokens", prompt_tokens))
        completion_tokens = int(usage.get("completion_tokens", completion_tokens))
    return ChatResult(call.make_id("chat"), int(call.now), str(body["model"]), choices,
                      prompt_tokens, completion_tokens)


def usage_object(result: ChatResult) -> dict[str, Any]:
    usage: dict[str, Any] = {"prompt_tokens": result.prompt_tokens,
                             "completion_tokens": result.completion_tokens,
                             "total_tokens": result.prompt_tokens + result.completion_tokens}
    if result.choices and result.choices[0].reasoning is not None:
        usage["completion_tokens_details"] = {"reasoning_tokens": sum(
            len(c.reasoning or ()) for c in result.choices)}
    return usage


def tool_call_object(tool_call: ToolCall) -> dict[str, Any]:
    return {"id": tool_call.id, "type": "function",
            "function": {"name": tool_call.name, "arguments": tool_call.arguments}}


def render_chat_completion(result: ChatResult) -> dict[str, Any]:
    choices = []
    for choice in result.choices:
        message: dict[str, Any] = {"role": "assistant", "content": choice.content,
                                   "refusal": None}
        if choice.reasoning is not None:
            message["reasoning_content"] = "".join(choice.reasoning)
        if choice.tool_calls and choice.legacy:
            call = choice.tool_calls[0]
            message["function_call"] = {"name": call.name, "arguments": call.arguments}
        elif choice.tool_calls:
            message["tool_calls"] = [tool_call_object(c) for c in choice.tool_calls]
        choices.append({"index": choice.index, "message": message, "logprobs": choice.logprobs,
                        "finish_reason": choice.finish_reason})
    return {"id": result.id, "object": "chat.completion", "created": result.created,
            "model": result.model, "choices": choices, "usage": usage_object(result)}


def stream_chat_chunks(result: ChatResult, include_usage: bool) -> list[bytes]:
    """The chunk sequence: role first, one content token per chunk (or tool-call
    fragments with a stable index), a closing chunk with finish_reason, the usage chunk
    when asked for, then [DONE]."""
    head = (b'{"id":' + dumps(result.id) + b',"object":"chat.completion.chunk","created":'
            + str(result.created).encode() + b',"model":' + dumps(result.model)
            + b',"choices":[')

    def chunk(index: int, delta: dict[str, Any], finish: str | None = None,
              logprobs: dict[str, Any] | None = None) -> bytes:
        choice = {"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish}
        return b"data: " + head + dumps(choice) + b"]}\n\n"

    frames: list[bytes] = []
    for choice in result.choices:
        if choice.reasoning is not None:
            frames.extend(reasoning_frames(choice, chunk))
            continue
        frames.append(chunk(choice.index, {"role": "assistant", "content": None,
                                           "refusal": None} if choice.tool_calls else
                            {"role": "assistant", "content": "", "refusal": None}))
        if choice.tool_calls:
            frames.extend(chunk(choice.index, delta) for delta in tool_call_deltas(choice))
        elif choice.logprobs is not None:  # each token's own, beside it
            frames.extend(chunk(choice.index, {"content": token}, None,
                                {"content": [entry], "refusal": None})
                          for token, entry in zip(choice.tokens, choice.logprobs["content"],
                                                  strict=True))
        else:
            frames.extend(chunk(choice.index, {"content": token}) for token in choice.tokens)
        frames.append(chunk(choice.index, {}, choice.finish_reason))
    if include_usage:
        frames.append(b"data: " + head + b'],"usage":' + dumps(usage_object(result))
                      + b"}\n\n")
    frames.append(sse.DONE)
    return frames


def tool_call_deltas(choice: ChatChoice) -> Iterator[dict[str, Any]]:
    """The deltas of a choice's tool calls: each call's id and name, then its arguments in
    fragments under a stable index (or the deprecated `function_call`'s, for its one)."""
    if choice.legacy:
        call = choice.tool_calls[0]
        yield {"function_call": {"name": call.name, "arguments": ""}}
        for piece in fragments(call.arguments):
            yield {"function_call": {"arguments": piece}}
        return
    for k, call in enumerate(choice.tool_calls):
        yield {"tool_calls": [{"index": k, "id": call.id, "type": "function",
                               "function": {"name": call.name, "arguments": ""}}]}
        for piece in fragments(call.arguments):
            yield {"tool_calls": [{"index": k, "function": {"arguments": piece}}]}


def reasoning_frames(choice: ChatChoice,
                     chunk: Callable[..., bytes]) -> Iterator[bytes]:
    """A reasoning model's choice as DeepSeek streams it: every delta carries both
    `content` and `reasoning_content`, the one not being sent null (clients test either
    attribute), the thought first; tool calls, if any, after it."""
    index = choice.index
    quiet = {"content": None, "reasoning_content": None}
    yield chunk(index, {"role": "assistant", "content": None, "reasoning_content": ""})
    for token in choice.reasoning or ():
        yield chunk(index, {"content": None, "reasoning_content": token})
    for delta in tool_call_deltas(choice):
        yield chunk(index, {**quiet, **delta})
    entries = choice.logprobs["content"] if choice.logprobs is not None else None
    for k, token in enumerate(choice.tokens):
        yield chunk(index, {"content": token, "reasoning_content": None}, None,
                    None if entries is None else {"content": [entries[k]], "refusal": None})
    yield chunk(index, {"content": "", "reasoning_content": None}, choice.finish_reason)


def handle_chat_completions(call: Call) -> Reply:
    result = complete_chat(call)
    if call.body.get("stream"):
        options = call.body.get("stream_options")
        include_usage = isinstance(options, Mapping) and bool(options.get("include_usage"))
        return StreamReply(stream_chat_chunks(result, include_usage))
    return JSONReply(render_chat_completion(result))

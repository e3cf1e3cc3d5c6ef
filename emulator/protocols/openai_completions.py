"""OpenAI legacy completions: `POST /v1/completions` (apiyi "文本补全(Completions)").

`prompt` a string, an array of strings, a token array or an array of token arrays; `n`
choices per prompt (indexes run prompt-major, as OpenAI's do); `max_tokens` defaults to
16 like OpenAI's; `stop`; `echo`; `logprobs` (of the completion's tokens); streaming as
`text_completion` chunks ending in `data: [DONE]`. The text comes from
answers.compose_text, like every other format.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import sse
from ..errors import ContextTooLong, InvalidRequest
from ..generate.logprobs import token_logprobs
from ..generate.seed import Draws
from ..generate.tokens import count_tokens
from ..jsonutil import dumps
from .answers import Conversation, compose_text, stop_list
from .base import Call, JSONReply, Reply, StreamReply

# OpenAI's default for this endpoint (CreateCompletionRequest.max_tokens).
DEFAULT_MAX_TOKENS = 16
FINISH = {"stop": "stop", "stop_sequence": "stop", "length": "length"}


@dataclass(frozen=True)
class Prompt:
    text: str
    token_count: int


@dataclass(frozen=True)
class CompletionChoice:
    index: int
    echo: str
    tokens: tuple[str, ...]
    finish_reason: str
    # The completion tokens' log probabilities when `logprobs` was asked for: the legacy
    # shape's parallel lists, one item per token (see legacy_logprobs).
    logprobs: dict[str, list[Any]] | None = None

    @property
    def text(self) -> str:
        return self.echo + "".join(self.tokens)


def is_token_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value)


def read_prompts(value: Any) -> list[Prompt]:
    """The prompts of `prompt`; token ids have no text here, only a count."""
    if isinstance(value, str):
        return [Prompt(value, count_tokens(value))]
    if is_token_array(value):
        return [Prompt("", len(value))]
    if isinstance(value, list) and value:
        prompts = []
        for item in value:
            if isinstance(item, str):
                prompts.append(Prompt(item, count_tokens(item)))
            elif is_token_array(item):
                prompts.append(Prompt("", len(item)))
            else:
                break
        else:
            return prompts
    raise InvalidRequest("'prompt' must be a string, an array of strings, an array of "
                         "integers or an array of integer arrays.", param="prompt")


def continuation(rng: random.Random, conversation: Conversation) -> str:
    """Generated text that continues the prompt: after a word, it starts with a space."""
    text = compose_text(rng, conversation, max_tokens=None).text
    prompt = conversation.last_user_text
    if prompt and prompt[-1].isalnum() and prompt[-1].isascii() and text[:1].isalnum():
        return " " + text
    return text


def complete(call: Call) -> tuple[list[CompletionChoice], int, int]:
    """(choices, prompt tokens, completion tokens)."""
    body = call.body
    prompts = read_prompts(body.get("prompt"))
    max_tokens = body.get("max_tokens")
    if max_tokens is None:
        max_tokens = DEFAULT_MAX_TOKENS
    model = call.model
    limit = model.context_window if model is not None else None
    for prompt in prompts:
        # Prompt and completion must fit together, or OpenAI refuses (it does not trim
        # max_tokens to what is left), with this message and context_length_exceeded.
        if limit and prompt.token_count + max_tokens > limit:
            raise ContextTooLong(
                f"This model's maximum context length is {limit} tokens, however you "
                f"requested {prompt.token_count + max_tokens} tokens "
                f"({prompt.token_count} in your prompt; {max_tokens} for the completion). "
                "Please reduce your prompt; or completion length.", param="prompt")
    n = int(body.get("n") or 1)
    echo = bool(body.get("echo"))
    stop = stop_list(body.get("stop"))
    canned = call.canned
    choices: list[CompletionChoice] = []
    for p, prompt in enumerate(prompts):
        conversation = Conversation("user", prompt.text, None)
        for i in range(n):
            rng = call.seed.rng(f"prompt:{p}:choice:{i}")
            text = canned.content if canned is not None else continuation(rng, conversation)
            answer = compose_text(rng, conversation, max_tokens=max_tokens, stop=stop,
                                  text=text)
            finish = (canned.finish_reason if canned is not None and canned.finish_reason
                      else FINISH[answer.reason])
            logprobs = None
            if isinstance(body.get("logprobs"), int):
                logprobs = legacy_logprobs(call.seed.draws(f"logprobs:{p}:{i}"), answer.tokens,
                                           body["logprobs"], len(prompt.text))
            choices.append(CompletionChoice(p * n + i, prompt.text if echo else "",
                                            answer.tokens, finish, logprobs))
    prompt_tokens = sum(p.token_count for p in prompts)
    completion_tokens = sum(len(c.tokens) for c in choices)
    if canned is not None and canned.usage:
        prompt_tokens = int(canned.usage.get("prompt_tokens", prompt_tokens))
        completion_tokens = int(canned.usage.get("completion_tokens", completion_tokens))
    return choices, prompt_tokens, completion_tokens


def legacy_logprobs(draws: Draws, tokens: tuple[str, ...], top: int,
                    offset: int) -> dict[str, list[Any]]:
    """The legacy `logprobs` object: tokens, token_logprobs, top_logprobs (`top` most
    likely at each position, the sampled token among them: at least it) and text_offset
    (where each token starts in prompt + completion)."""
    entries = token_logprobs(draws, tokens, max(top, 1))
    offsets = []
    for token in tokens:
        offsets.append(offset)
        offset += len(token)
    return {"tokens": list(tokens), "token_logprobs": [e["logprob"] for e in entries],
            "top_logprobs": [{a["token"]: a["logprob"] for a in e["top_logprobs"]}
                             for e in entries],
            "text_offset": offsets}


def token_slice(logprobs: dict[str, list[Any]], index: int) -> dict[str, list[Any]]:
    """The streamed chunk of token `index`: each list cut to that token's item."""
    return {name: values[index:index + 1] for name, values in logprobs.items()}


def usage_object(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens}


def stream_frames(head: dict[str, Any], choices: list[CompletionChoice],
                  usage: dict[str, int] | None) -> list[bytes]:
    """One chunk per token (the echoed prompt first), a closing chunk per choice with its
    finish_reason, the usage chunk when asked for, then [DONE]."""
    prefix = dumps(head)[:-1] + b',"choices":['

    def chunk(index: int, text: str, finish: str | None,
              logprobs: dict[str, list[Any]] | None = None) -> bytes:
        choice = {"text": text, "index": index, "logprobs": logprobs, "finish_reason": finish}
        return b"data: " + prefix + dumps(choice) + b"]}\n\n"

    frames: list[bytes] = []
    for choice in choices:
        if choice.echo:
            frames.append(chunk(choice.index, choice.echo, None))
        lp = choice.logprobs
        frames.extend(chunk(choice.index, token, None, token_slice(lp, k) if lp else None)
                      for k, token in enumerate(choice.tokens))
        frames.append(chunk(choice.index, "", choice.finish_reason))
    if usage is not None:
        frames.append(b"data: " + prefix + b'],"usage":' + dumps(usage) + b"}\n\n")
    frames.append(sse.DONE)
    return frames


def handle_completions(call: Call) -> Reply:
    body = call.body
    choices, prompt_tokens, completion_tokens = complete(call)
    usage = usage_object(prompt_tokens, completion_tokens)
    head = {"id": call.make_id("completion"), "object": "text_completion",
            "created": int(call.now), "model": str(body["model"])}
    if body.get("stream"):
        options = body.get("stream_options")
        include_usage = isinstance(options, Mapping) and bool(options.get("include_usage"))
        return StreamReply(stream_frames(head, choices, usage if include_usage else None))
    return JSONReply({**head, "choices": [
        {"text": c.text, "index": c.index, "logprobs": c.logprobs,
         "finish_reason": c.finish_reason}
        for c in choices], "usage": usage})

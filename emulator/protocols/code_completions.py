"""aimodels code completions: `POST /v1/code/completions` ("代碼生成和補全").

The doc shows the request only (`model`, `prompt`, `language`, `max_tokens`); the answer
is inferred: an OpenAI text-completion-like object, inside aimodels' success envelope
(the envelope is applied by render_reply, as for every aimodels answer):
`{id, object: "text_completion", created, model, language, choices[{index, text,
finish_reason}], usage}`. The text continues the prompt in its language (generate/code.py).
"""

from __future__ import annotations

from ..generate.code import continue_code, normalise_language
from ..generate.tokens import count_tokens, split_tokens
from .base import Call, JSONReply, Reply

# The doc's example asks for 200; a request without `max_tokens` gets room for a body.
DEFAULT_MAX_TOKENS = 256


def handle_code_completions(call: Call) -> Reply:
    body = call.body
    prompt = str(body.get("prompt") or "")
    language = normalise_language(body.get("language"))
    canned = call.canned
    if canned is not None and canned.content is not None:
        text = canned.content
    else:
        text = continue_code(prompt, language, call.seed.rng("code"))
    max_tokens = body.get("max_tokens")
    if max_tokens is None:
        max_tokens = DEFAULT_MAX_TOKENS
    pieces = split_tokens(text)
    finish = "stop"
    if len(pieces) > max_tokens:
        text, finish = "".join(pieces[:max_tokens]), "length"
    if canned is not None and canned.finish_reason:
        finish = canned.finish_reason
    prompt_tokens = count_tokens(prompt)
    completion_tokens = count_tokens(text)
    if canned is not None and canned.usage:
        prompt_tokens = int(canned.usage.get("prompt_tokens", prompt_tokens))
        completion_tokens = int(canned.usage.get("completion_tokens", completion_tokens))
    return JSONReply({
        "id": call.make_id("completion"),
        "object": "text_completion",
        "created": int(call.now),
        "model": str(body.get("model", "")),
        "language": language,
        "choices": [{"index": 0, "text": text, "finish_reason": finish}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    })

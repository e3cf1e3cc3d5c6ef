"""OpenAI embeddings: `POST /v1/embeddings` (wire-formats.md 1.8).

`input` is a string, an array of strings, a token array or an array of token arrays;
`encoding_format` float (the documented default) or base64 (what the `openai` SDK sends
unless told otherwise, and decodes back to floats); `dimensions` shortens a vector the
way OpenAI's text-embedding-3 models do. Vectors come from generate/vectors.py: unit
length, the same for the same text in every request, closer for texts sharing words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ContextTooLong, InvalidRequest
from ..generate.tokens import count_tokens
from ..generate.vectors import embed_text, embed_tokens, to_base64
from ..providers.base import Model
from .base import Call, JSONReply, Reply

# A catalogue embedding model without a documented dimension count gets OpenAI's.
DEFAULT_DIMENSIONS = 1536


@dataclass(frozen=True)
class EmbeddingInput:
    """One item of `input`: text, or token ids."""

    text: str | None
    tokens: tuple[int, ...] = ()

    @property
    def token_count(self) -> int:
        return count_tokens(self.text) if self.text is not None else len(self.tokens)

    def vector(self, space: str, dims: int) -> list[float]:
        if self.text is not None:
            return embed_text(self.text, space, dims)
        return embed_tokens(self.tokens, space, dims)


def is_token_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value)


def read_inputs(value: Any) -> list[EmbeddingInput]:
    """The items of `input` in order (the request schema already checked its shape;
    this refuses what a schema cannot say, such as an empty list)."""
    if isinstance(value, str):
        return [EmbeddingInput(value)]
    if is_token_array(value):
        return [EmbeddingInput(None, tuple(value))]
    if isinstance(value, list) and value:
        items: list[EmbeddingInput] = []
        for item in value:
            if isinstance(item, str):
                items.append(EmbeddingInput(item))
            elif is_token_array(item):
                items.append(EmbeddingInput(None, tuple(item)))
            else:
                break
        else:
            return items
    raise InvalidRequest("'input' must be a string, an array of strings, an array of "
                         "integers or an array of integer arrays, and must not be empty.",
                         param="input")


def output_dimensions(model: Model | None, requested: Any) -> int:
    native = (model.dimensions if model is not None else None) or DEFAULT_DIMENSIONS
    if requested is None:
        return native
    if not isinstance(requested, int) or isinstance(requested, bool) or requested < 1:
        raise InvalidRequest("'dimensions' must be a positive integer.", param="dimensions")
    if requested > native:
        raise InvalidRequest(
            f"This model has {native} dimensions; 'dimensions' must be at most {native}.",
            param="dimensions")
    return requested


def check_context(model: Model | None, inputs: Sequence[EmbeddingInput]) -> None:
    limit = model.context_window if model is not None else None
    if not limit:
        return
    for index, item in enumerate(inputs):
        if item.token_count > limit:
            raise ContextTooLong(
                f"This model's maximum context length is {limit} tokens, however you "
                f"requested {item.token_count} tokens in input {index}. Please reduce "
                "your input.", param="input")


def handle_embeddings(call: Call) -> Reply:
    body = call.body
    inputs = read_inputs(body.get("input"))
    model = call.model
    check_context(model, inputs)
    dims = output_dimensions(model, body.get("dimensions"))
    model_name = str(body.get("model", ""))
    encode = body.get("encoding_format") == "base64"
    data = []
    for index, item in enumerate(inputs):
        vector = item.vector(call.vector_space(model_name), dims)
        data.append({"object": "embedding", "index": index,
                     "embedding": to_base64(vector) if encode else vector})
    tokens = sum(item.token_count for item in inputs)
    return JSONReply({"object": "list", "data": data, "model": model_name,
                      "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

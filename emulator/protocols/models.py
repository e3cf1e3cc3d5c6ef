"""`GET /v1/models` and `GET /v1/models/{model}`, from the provider's catalogue.

A provider that also serves Anthropic's Messages API (xiaoai) is listed to both SDKs:
each model carries OpenAI's fields and Anthropic's ModelInfo ones (`type`,
`display_name`, `created_at`, `lifecycle`, `max_input_tokens`, `max_tokens`), and the
list Anthropic's page fields (`has_more`, `first_id`, `last_id`) and paging (`limit`,
`after_id`, `before_id`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..errors import InvalidRequest, ModelNotFound
from ..providers.base import Model
from .base import Call, JSONReply

ANTHROPIC_MAX_PAGE = 1000


def model_object(model: Model, anthropic: bool = False) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": model.id, "object": "model", "created": model.created,
                             "owned_by": model.owned_by}
    if anthropic:
        entry.update(
            type="model", display_name=model.id, lifecycle="active",
            created_at=datetime.fromtimestamp(model.created, UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ"),
            max_input_tokens=model.context_window or None,
            max_tokens=model.max_output_tokens or None)
    return entry


def list_models(call: Call) -> JSONReply:
    models = list(call.profile.catalogue.models)
    if not call.profile.serves_anthropic:
        return JSONReply({"object": "list", "data": [model_object(m) for m in models]})
    page, has_more = anthropic_page(models, call.query_params)
    data = [model_object(m, anthropic=True) for m in page]
    return JSONReply({"object": "list", "data": data, "has_more": has_more,
                      "first_id": data[0]["id"] if data else None,
                      "last_id": data[-1]["id"] if data else None})


def anthropic_page(models: list[Model], params: Mapping[str, str]) -> tuple[list[Model], bool]:
    """The page `limit`, `after_id` and `before_id` ask for, and whether more follow in
    the direction read. Without a `limit`, every model: the openai SDK reads this list
    too and never pages (Anthropic's default of 20 would cut its view short)."""
    raw_limit = params.get("limit", str(max(1, min(len(models), ANTHROPIC_MAX_PAGE))))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= ANTHROPIC_MAX_PAGE:
        raise InvalidRequest(f"limit: Input should be between 1 and {ANTHROPIC_MAX_PAGE}.",
                             param="limit")
    limit = int(raw_limit)
    ids = [m.id for m in models]
    for name in ("after_id", "before_id"):
        if name in params and params[name] not in ids:
            raise InvalidRequest(f"{name}: no model has the id '{params[name][:64]}'.",
                                 param=name)
    if "before_id" in params:
        end = ids.index(params["before_id"])
        return models[max(0, end - limit):end], end - limit > 0
    start = ids.index(params["after_id"]) + 1 if "after_id" in params else 0
    return models[start:start + limit], start + limit < len(models)


def retrieve_model(call: Call) -> JSONReply:
    model_id = call.path_params.get("model", "")
    model = call.profile.catalogue.get(model_id)
    if model is None:
        raise ModelNotFound(
            f"The model `{model_id}` does not exist or you do not have access to it.",
            param="model")
    return JSONReply(model_object(model, anthropic=call.profile.serves_anthropic))

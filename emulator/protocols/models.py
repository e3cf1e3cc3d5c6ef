"""`GET /v1/models` and `GET /v1/models/{model}`, from the provider's catalogue."""

from __future__ import annotations

from typing import Any

from ..errors import ModelNotFound
from ..providers.base import Model
from .base import Call, JSONReply


def model_object(model: Model) -> dict[str, Any]:
    return {"id": model.id, "object": "model", "created": model.created,
            "owned_by": model.owned_by}


def list_models(call: Call) -> JSONReply:
    data = [model_object(m) for m in call.profile.catalogue.models]
    return JSONReply({"object": "list", "data": data})


def retrieve_model(call: Call) -> JSONReply:
    model_id = call.path_params.get("model", "")
    model = call.profile.catalogue.get(model_id)
    if model is None:
        raise ModelNotFound(
            f"The model `{model_id}` does not exist or you do not have access to it.",
            param="model")
    return JSONReply(model_object(model))

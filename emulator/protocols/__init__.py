"""One module per wire format; HANDLERS maps each route id to its handler."""

from __future__ import annotations

from .base import Handler
from .models import list_models, retrieve_model
from .openai_chat import handle_chat_completions

HANDLERS: dict[str, Handler] = {
    "openai.chat_completions": handle_chat_completions,
    "openai.models_list": list_models,
    "openai.models_retrieve": retrieve_model,
}

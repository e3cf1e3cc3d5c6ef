"""Route rows that several profiles share: the same documented path speaks the same wire
format wherever it appears. A profile lists the rows it documents (or names)."""

from __future__ import annotations

from .base import RouteSpec

CHAT_COMPLETIONS = RouteSpec(
    "POST", "/chat/completions", "openai.chat_completions", model_kinds=("chat",)
)
MODELS_LIST = RouteSpec("GET", "/models", "openai.models_list", body="none")
MODELS_RETRIEVE = RouteSpec("GET", "/models/{model}", "openai.models_retrieve", body="none")
# A models list the provider does not document but OpenAI clients call (inferred).
MODELS_LIST_INFERRED = RouteSpec(
    "GET", "/models", "openai.models_list", body="none", source="inferred"
)
MODELS_RETRIEVE_INFERRED = RouteSpec(
    "GET", "/models/{model}", "openai.models_retrieve", body="none", source="inferred"
)

"""Route rows that several profiles share: the same documented path speaks the same wire
format wherever it appears. A profile lists the rows it documents (or names)."""

from __future__ import annotations

from .base import RouteSpec

CHAT_COMPLETIONS = RouteSpec(
    "POST", "/chat/completions", "openai.chat_completions", model_kinds=("chat",),
    streams=True,
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

# -- Media (images, audio, video): protocols/images.py, audio.py, media_files.py ----------
IMAGES_GENERATIONS = RouteSpec(
    "POST", "/images/generations", "openai.images_generations", model_kinds=("image",),
    streams=True,  # the GPT image models' `stream: true`
)
IMAGES_GENERATIONS_INFERRED = RouteSpec(
    "POST", "/images/generations", "openai.images_generations", model_kinds=("image",),
    source="inferred", streams=True,
)
AUDIO_TRANSCRIPTIONS = RouteSpec(
    "POST", "/audio/transcriptions", "openai.audio_transcriptions", body="multipart",
    model_kinds=("transcription",),
)
AUDIO_TRANSCRIPTIONS_INFERRED = RouteSpec(
    "POST", "/audio/transcriptions", "openai.audio_transcriptions", body="multipart",
    model_kinds=("transcription",), source="inferred",
)
AUDIO_TRANSLATIONS_INFERRED = RouteSpec(
    "POST", "/audio/translations", "openai.audio_translations", body="multipart",
    model_kinds=("transcription",), source="inferred",
)
AUDIO_SPEECH_INFERRED = RouteSpec(
    "POST", "/audio/speech", "openai.audio_speech", model_kinds=("speech",), source="inferred"
)
# Where generated files are served (the URLs media answers hand out): like a gateway's
# CDN link, fetched without the API key.
MEDIA_FILE = RouteSpec(
    "GET", "/media/{name}", "media.file", body="none", auth=False, source="inferred"
)

# -- Text endpoints beyond chat: protocols/embeddings.py, openai_completions.py,
# openai_responses.py ----------------------------------------------------------------
EMBEDDINGS = RouteSpec("POST", "/embeddings", "openai.embeddings", model_kinds=("embedding",))
EMBEDDINGS_INFERRED = RouteSpec(
    "POST", "/embeddings", "openai.embeddings", model_kinds=("embedding",), source="inferred"
)
# Legacy completions take completion models and, as OpenAI-compatible gateways relay
# them, chat models too.
COMPLETIONS = RouteSpec(
    "POST", "/completions", "openai.completions", model_kinds=("completion", "chat"),
    streams=True,
)
# Named as supported ("Responses端点") without parameters: the shape is OpenAI's.
RESPONSES_INFERRED = RouteSpec(
    "POST", "/responses", "openai.responses", model_kinds=("chat",), streams=True,
    source="inferred",
)
# A stored response (`store`, true by default): retrieved, its input items listed, deleted.
RESPONSES_STORED_INFERRED = (
    RouteSpec("GET", "/responses/{response_id}", "openai.responses_retrieve", body="none",
              source="inferred"),
    RouteSpec("DELETE", "/responses/{response_id}", "openai.responses_delete", body="none",
              source="inferred"),
    RouteSpec("GET", "/responses/{response_id}/input_items", "openai.responses_input_items",
              body="none", source="inferred"),
)

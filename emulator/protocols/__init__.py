"""One module per wire format; HANDLERS maps each route id to its handler."""

from __future__ import annotations

import importlib
from typing import Any

from .base import Handler

# route id -> "module:function". Modules are imported on their route's first request, not
# at start: most test suites use two or three routes, and every start paid for all of them
# (issue 9).
HANDLER_PATHS: dict[str, str] = {
    "openai.chat_completions": "openai_chat:handle_chat_completions",
    "anthropic.messages": "anthropic_messages:handle_messages",
    "openai.models_list": "models:list_models",
    "openai.models_retrieve": "models:retrieve_model",
    "openai.images_generations": "images:handle_openai_images",
    "aimodels.images_generations": "images:handle_aimodels_images",
    "aimodels.audio_generations": "media_gen:handle_aimodels_audio",
    "aimodels.video_generations": "media_gen:handle_aimodels_video",
    "openai.audio_speech": "audio:handle_speech",
    "openai.audio_transcriptions": "audio:handle_transcriptions",
    "openai.audio_translations": "audio:handle_translations",
    "ruijing.vision_analyze": "vision:handle_vision_analyze",
    "openai.videos_create": "media_jobs:handle_videos_create",
    "openai.videos_list": "media_jobs:handle_videos_list",
    "openai.videos_retrieve": "media_jobs:handle_videos_retrieve",
    "openai.videos_delete": "media_jobs:handle_videos_delete",
    "openai.videos_content": "media_jobs:handle_videos_content",
    "openai.videos_remix": "media_jobs:handle_videos_remix",
    "suno.submit_music": "media_jobs:handle_music_submit",
    "suno.fetch": "media_jobs:handle_music_fetch",
    "media.file": "media_files:serve_media_file",
    "openai.embeddings": "embeddings:handle_embeddings",
    "rerank.rerank": "rerank:handle_rerank",
    "openai.completions": "openai_completions:handle_completions",
    "aimodels.code_completions": "code_completions:handle_code_completions",
    "openai.responses": "openai_responses:handle_responses",
    "openai.responses_retrieve": "openai_responses_store:handle_responses_retrieve",
    "openai.responses_delete": "openai_responses_store:handle_responses_delete",
    "openai.responses_input_items": "openai_responses_store:handle_responses_input_items",
}


class LazyHandlers(dict[str, Handler]):
    """HANDLERS: a dict that imports a route's handler on first lookup. `in`, `len` and
    iteration cover every route (loaded or not); assignment overrides one (tests do)."""

    def __missing__(self, route_id: str) -> Handler:
        module, _, name = HANDLER_PATHS[route_id].partition(":")
        handler: Handler = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        self[route_id] = handler
        return handler

    def __contains__(self, route_id: Any) -> bool:
        return route_id in HANDLER_PATHS or dict.__contains__(self, route_id)

    def get(self, route_id: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[route_id] if route_id in self else default  # noqa: SIM401 (loads it)

    def __iter__(self) -> Any:
        return iter({**HANDLER_PATHS, **dict(self.items())})

    def __len__(self) -> int:
        return len({**HANDLER_PATHS, **dict(self.items())})


HANDLERS: dict[str, Handler] = LazyHandlers()

# Routes whose reply is a pure function of the request (body, profile, route, path, seed,
# model, base URL) and of the clock's whole second: no job store, no fractional time. Their
# replies may be memoised (answer_cache.py); a handler that starts to keep state or read
# the time more finely must leave this set.
PURE_ROUTES: frozenset[str] = frozenset({
    "openai.chat_completions", "anthropic.messages", "openai.embeddings",
    "openai.completions", "rerank.rerank", "aimodels.code_completions",
})  # not openai.responses: it stores what it answers, and checks previous_response_id

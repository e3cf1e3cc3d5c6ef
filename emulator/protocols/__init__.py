"""One module per wire format; HANDLERS maps each route id to its handler."""

from __future__ import annotations

from .anthropic_messages import handle_messages
from .audio import handle_speech, handle_transcriptions, handle_translations
from .base import Handler
from .code_completions import handle_code_completions
from .embeddings import handle_embeddings
from .images import handle_aimodels_images, handle_openai_images
from .media_files import serve_media_file
from .media_gen import handle_aimodels_audio, handle_aimodels_video
from .media_jobs import (
    handle_music_fetch,
    handle_music_submit,
    handle_videos_content,
    handle_videos_create,
    handle_videos_retrieve,
)
from .models import list_models, retrieve_model
from .openai_chat import handle_chat_completions
from .openai_completions import handle_completions
from .openai_responses import handle_responses
from .rerank import handle_rerank
from .vision import handle_vision_analyze

HANDLERS: dict[str, Handler] = {
    "openai.chat_completions": handle_chat_completions,
    "anthropic.messages": handle_messages,
    "openai.models_list": list_models,
    "openai.models_retrieve": retrieve_model,
    "openai.images_generations": handle_openai_images,
    "aimodels.images_generations": handle_aimodels_images,
    "aimodels.audio_generations": handle_aimodels_audio,
    "aimodels.video_generations": handle_aimodels_video,
    "openai.audio_speech": handle_speech,
    "openai.audio_transcriptions": handle_transcriptions,
    "openai.audio_translations": handle_translations,
    "ruijing.vision_analyze": handle_vision_analyze,
    "openai.videos_create": handle_videos_create,
    "openai.videos_retrieve": handle_videos_retrieve,
    "openai.videos_content": handle_videos_content,
    "suno.submit_music": handle_music_submit,
    "suno.fetch": handle_music_fetch,
    "media.file": serve_media_file,
    "openai.embeddings": handle_embeddings,
    "rerank.rerank": handle_rerank,
    "openai.completions": handle_completions,
    "aimodels.code_completions": handle_code_completions,
    "openai.responses": handle_responses,
}

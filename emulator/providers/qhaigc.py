"""qhaigc: 启航 AI API (shared/docs/000_01700f39011dbcb3.txt).

OpenAI-compatible; documents chat completions and names images, speech, Sora video,
music, embeddings, rerank and the model list. Rate limits are RPM/RPD/TPM "by account
tier" without values, so the defaults here are ours and overridable.
"""

from __future__ import annotations

from .base import LimitPolicy, Profile, RouteSpec, load_catalogue
from .routes import (
    AUDIO_SPEECH_INFERRED,
    AUDIO_TRANSCRIPTIONS_INFERRED,
    AUDIO_TRANSLATIONS_INFERRED,
    CHAT_COMPLETIONS,
    EMBEDDINGS_INFERRED,
    IMAGES_GENERATIONS_INFERRED,
    MEDIA_FILE,
    MODELS_LIST_INFERRED,
    MODELS_RETRIEVE_INFERRED,
)

# "Sora 视频生成": the OpenAI Videos API, an asynchronous job (protocols/media_jobs.py).
# Create is multipart in the OpenAI SDK; a JSON body is accepted too.
VIDEOS = (
    RouteSpec("POST", "/videos", "openai.videos_create", body="multipart",
              model_kinds=("video",), source="inferred"),
    RouteSpec("GET", "/videos", "openai.videos_list", body="none", source="inferred"),
    RouteSpec("GET", "/videos/{video_id}", "openai.videos_retrieve", body="none",
              source="inferred"),
    RouteSpec("DELETE", "/videos/{video_id}", "openai.videos_delete", body="none",
              source="inferred"),
    RouteSpec("GET", "/videos/{video_id}/content", "openai.videos_content", body="none",
              source="inferred"),
    RouteSpec("POST", "/videos/{video_id}/remix", "openai.videos_remix", source="inferred"),
)
# Music generation, named only: the Suno task API gateways relay (new-api style).
MUSIC = (
    RouteSpec("POST", "/suno/submit/music", "suno.submit_music", source="inferred"),
    RouteSpec("GET", "/suno/fetch/{task_id}", "suno.fetch", body="none", source="inferred"),
)
# "嵌入与重排序", named only: the Jina/Cohere-style rerank gateways relay
# (protocols/rerank.py).
RERANK = RouteSpec("POST", "/rerank", "rerank.rerank", model_kinds=("rerank",),
                   source="inferred")

PROFILE = Profile(
    slug="qhaigc",
    name="启航 AI API",
    doc="000_01700f39011dbcb3.txt",
    hosts=("api.qhaigc.net", "api-hk.qhaigc.net"),
    # The Hong Kong node is written without /v1 in the doc: accept both forms.
    base_paths=("/v1", ""),
    routes=(
        CHAT_COMPLETIONS,
        MODELS_LIST_INFERRED,
        MODELS_RETRIEVE_INFERRED,
        IMAGES_GENERATIONS_INFERRED,
        AUDIO_TRANSCRIPTIONS_INFERRED,
        AUDIO_TRANSLATIONS_INFERRED,
        AUDIO_SPEECH_INFERRED,
        *VIDEOS,
        *MUSIC,
        MEDIA_FILE,
        EMBEDDINGS_INFERRED,  # 嵌入与重排序
        RERANK,
    ),
    auth_schemes=("bearer",),
    error_style="openai",
    success_style="plain",
    catalogue=load_catalogue("qhaigc"),
    limits=LimitPolicy(rpm=500, rpd=20_000, tpm=500_000, header_style="openai"),
    id_prefixes={"chat": "chatcmpl-", "request": "req_"},
    documents_forbidden=False,
)

"""aimodels: AIModels (shared/docs/004_acf31aa9091c8e9b.txt).

Every body is wrapped: `{"success", "data", "message", "timestamp"}`, errors
`{"success": false, "error": {code, message, type}, "timestamp"}`; every response
carries X-RateLimit-Limit / -Remaining / -Reset (Unix time).
"""

from __future__ import annotations

from .base import LimitPolicy, Profile, RouteSpec, load_catalogue
from .routes import CHAT_COMPLETIONS, MEDIA_FILE, MODELS_LIST_INFERRED, MODELS_RETRIEVE_INFERRED

# 圖像生成 / 音頻生成 / 視頻生成 (the last two show requests only: answers inferred).
IMAGES = RouteSpec(
    "POST", "/images/generations", "aimodels.images_generations", model_kinds=("image",)
)
AUDIO = RouteSpec(
    "POST", "/audio/generations", "aimodels.audio_generations", model_kinds=("audio",)
)
VIDEO = RouteSpec(
    "POST", "/video/generations", "aimodels.video_generations", model_kinds=("video",)
)
# 代碼生成和補全: request documented, answer inferred (protocols/code_completions.py).
CODE_COMPLETIONS = RouteSpec(
    "POST", "/code/completions", "aimodels.code_completions", model_kinds=("code",)
)

PROFILE = Profile(
    slug="aimodels",
    name="AIModels",
    doc="004_acf31aa9091c8e9b.txt",
    hosts=("api.aimodels.com",),
    base_paths=("/v1",),
    routes=(
        CHAT_COMPLETIONS,
        MODELS_LIST_INFERRED,
        MODELS_RETRIEVE_INFERRED,
        IMAGES,
        AUDIO,
        VIDEO,
        MEDIA_FILE,
        CODE_COMPLETIONS,
    ),
    auth_schemes=("bearer",),
    error_style="aimodels",
    success_style="aimodels",
    catalogue=load_catalogue("aimodels"),
    # The doc names the headers but no values: 60 a minute is ours, overridable.
    limits=LimitPolicy(rpm=60, header_style="aimodels"),
    id_prefixes={"chat": "chatcmpl-", "completion": "cmpl-", "request": "req_"},
)

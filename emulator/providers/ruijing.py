"""ruijing: 锐境 AI (shared/docs/003_f8ce01dd45987215.txt).

OpenAI-style chat and embeddings, a vision analysis route, transcription; limits by
plan (free, pro, enterprise) with `Retry-After` on 429; prompts longer than the
model's context window are a 400.
"""

from __future__ import annotations

from .base import LimitPolicy, Profile, RouteSpec, load_catalogue
from .routes import (
    AUDIO_SPEECH_INFERRED,
    AUDIO_TRANSCRIPTIONS,
    CHAT_COMPLETIONS,
    EMBEDDINGS,
    MEDIA_FILE,
    MODELS_LIST_INFERRED,
    MODELS_RETRIEVE_INFERRED,
)

# 图像分析 API: request documented, response shape ours (see protocols/vision.py).
VISION_ANALYZE = RouteSpec(
    "POST", "/vision/analyze", "ruijing.vision_analyze", model_kinds=("vision",)
)

# "速率限制": free 3 RPM and 10,000 tokens/day; pro 60 RPM and 1,000,000 tokens/day;
# enterprise unlimited. Unplanned keys get "pro", so a first test is not throttled at 3 RPM.
PLANS = {
    "free": LimitPolicy(rpm=3, tpd=10_000, header_style="retry-after"),
    "pro": LimitPolicy(rpm=60, tpd=1_000_000, header_style="retry-after"),
    "enterprise": LimitPolicy(header_style="retry-after"),
}

PROFILE = Profile(
    slug="ruijing",
    name="锐境 AI",
    doc="003_f8ce01dd45987215.txt",
    # 语音识别 API: "mp3, mp4, mpeg, mpga, m4a, wav, webm"
    audio_formats=("m4a", "mp3", "mp4", "mpeg", "mpga", "wav", "webm"),
    hosts=("api.ruijing.ai",),
    base_paths=("/v1",),
    routes=(
        CHAT_COMPLETIONS,
        MODELS_LIST_INFERRED,
        MODELS_RETRIEVE_INFERRED,
        VISION_ANALYZE,
        AUDIO_TRANSCRIPTIONS,  # 语音识别 API
        AUDIO_SPEECH_INFERRED,  # ruijing-tts, named in 语音模型
        MEDIA_FILE,
        EMBEDDINGS,  # 文本嵌入 API
    ),
    auth_schemes=("bearer",),
    error_style="ruijing",
    success_style="plain",
    catalogue=load_catalogue("ruijing"),
    limits=LimitPolicy(
        rpm=60, tpd=1_000_000, plans=PLANS, default_plan="pro", header_style="retry-after"
    ),
    id_prefixes={"chat": "chatcmpl-", "request": "req_"},
)

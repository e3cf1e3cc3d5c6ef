"""apiyi: API易 (shared/docs/001_6c401996a2f7b8a3.txt).

OpenAI-compatible gateway to 200+ models. Documents chat, legacy completions,
embeddings, images, transcriptions, the model list and the Responses endpoint; says
fine-tuning, Files, organization and billing are not supported.
"""

from __future__ import annotations

from .base import LimitPolicy, Profile, load_catalogue
from .routes import (
    AUDIO_TRANSCRIPTIONS,
    CHAT_COMPLETIONS,
    COMPLETIONS,
    EMBEDDINGS,
    IMAGES_GENERATIONS,
    MEDIA_FILE,
    MODELS_LIST,
    MODELS_RETRIEVE,
    RESPONSES_INFERRED,
    RESPONSES_STORED_INFERRED,
)

PROFILE = Profile(
    slug="apiyi",
    name="API易",
    doc="001_6c401996a2f7b8a3.txt",
    hosts=("api.apiyi.com", "vip.apiyi.com"),
    base_paths=("/v1",),
    routes=(
        CHAT_COMPLETIONS,
        MODELS_LIST,
        MODELS_RETRIEVE,
        IMAGES_GENERATIONS,  # 图像生成
        AUDIO_TRANSCRIPTIONS,  # 音频转文字
        MEDIA_FILE,
        COMPLETIONS,  # 文本补全(Completions)
        EMBEDDINGS,  # 嵌入向量(Embeddings)
        RESPONSES_INFERRED,  # 🆕 Responses端点
        *RESPONSES_STORED_INFERRED,
    ),
    auth_schemes=("bearer",),
    error_style="openai",
    success_style="plain",
    catalogue=load_catalogue("apiyi"),
    # "速率限制": 3000 RPM, 1,000,000 TPM and 100 concurrent requests per key.
    limits=LimitPolicy(rpm=3000, tpm=1_000_000, concurrency=100, header_style="openai"),
    id_prefixes={"chat": "chatcmpl-", "completion": "cmpl-", "request": "req_"},
    # "❌ 不支持的功能": 微调接口 (current and legacy paths), Files管理接口 (and Uploads, which
    # make files), 组织管理接口, 计费管理接口 (legacy /dashboard/billing and /billing).
    unsupported_paths=("/fine_tuning", "/fine-tunes", "/files", "/uploads", "/organization",
                       "/dashboard", "/billing"),
    documents_forbidden=False,
)

"""xiaoai: 小艾引擎 (shared/docs/002_59647503db55322d.txt).

Anthropic Messages at /v1/messages, OpenAI chat completions and embeddings at /v1;
keys as `X-Api-Key` or `Authorization: Bearer`; ids `msg-...` and `cmpl-...` in hex.
"""

from __future__ import annotations

from .base import LimitPolicy, Profile, RouteSpec, load_catalogue
from .routes import (
    CHAT_COMPLETIONS,
    EMBEDDINGS,
    MODELS_LIST_INFERRED,
    MODELS_RETRIEVE_INFERRED,
)

PROFILE = Profile(
    slug="xiaoai",
    name="小艾引擎",
    doc="002_59647503db55322d.txt",
    hosts=("api1.szaiai.com",),
    base_paths=("/v1",),
    routes=(
        # "3.1 对话补全Messages": POST /v1/messages in the Anthropic format.
        RouteSpec("POST", "/messages", "anthropic.messages", model_kinds=("chat",),
                  streams=True),
        CHAT_COMPLETIONS,
        MODELS_LIST_INFERRED,
        MODELS_RETRIEVE_INFERRED,
        EMBEDDINGS,  # 3.3 文本向量化Embeddings
    ),
    # "2. 认证": X-Api-Key or Bearer.
    auth_schemes=("x-api-key", "bearer"),
    error_style="xiaoai",
    success_style="plain",
    catalogue=load_catalogue("xiaoai"),
    # "9. 使用限制": 60 requests a minute, bodies up to 50 MB.
    limits=LimitPolicy(rpm=60, header_style="retry-after"),
    # "3.1"/"3.2" response examples: "msg-a1b2c3d4e5f6...", "cmpl-a1b2c3d4e5f6...".
    id_prefixes={"chat": "cmpl-", "message": "msg-", "request": "req_", "tool": "toolu_"},
    id_alphabet="hex",
    max_body_bytes=50 * 1024 * 1024,
)

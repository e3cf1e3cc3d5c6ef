"""ruijing: 锐境 AI (shared/docs/003_f8ce01dd45987215.txt).

OpenAI-style chat and embeddings, a vision analysis route, transcription; limits by
plan (free, pro, enterprise) with `Retry-After` on 429; prompts longer than the
model's context window are a 400.
"""

from __future__ import annotations

from .base import LimitPolicy, Profile, load_catalogue
from .routes import CHAT_COMPLETIONS, MODELS_LIST_INFERRED, MODELS_RETRIEVE_INFERRED

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
    hosts=("api.ruijing.ai",),
    base_paths=("/v1",),
    routes=(
        CHAT_COMPLETIONS,
        MODELS_LIST_INFERRED,
        MODELS_RETRIEVE_INFERRED,
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

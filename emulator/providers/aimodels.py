"""aimodels: AIModels (shared/docs/004_acf31aa9091c8e9b.txt).

Every body is wrapped: `{"success", "data", "message", "timestamp"}`, errors
`{"success": false, "error": {code, message, type}, "timestamp"}`; every response
carries X-RateLimit-Limit / -Remaining / -Reset (Unix time).
"""

from __future__ import annotations

from .base import LimitPolicy, Profile, load_catalogue
from .routes import CHAT_COMPLETIONS, MODELS_LIST_INFERRED, MODELS_RETRIEVE_INFERRED

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
    ),
    auth_schemes=("bearer",),
    error_style="aimodels",
    success_style="aimodels",
    catalogue=load_catalogue("aimodels"),
    # The doc names the headers but no values: 60 a minute is ours, overridable.
    limits=LimitPolicy(rpm=60, header_style="aimodels"),
    id_prefixes={"chat": "chatcmpl-", "request": "req_"},
)

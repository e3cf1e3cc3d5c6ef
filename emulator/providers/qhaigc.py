"""qhaigc: 启航 AI API (shared/docs/000_01700f39011dbcb3.txt).

OpenAI-compatible; documents chat completions and names images, speech, Sora video,
music, embeddings, rerank and the model list. Rate limits are RPM/RPD/TPM "by account
tier" without values, so the defaults here are ours and overridable.
"""

from __future__ import annotations

from .base import LimitPolicy, Profile, load_catalogue
from .routes import CHAT_COMPLETIONS, MODELS_LIST_INFERRED, MODELS_RETRIEVE_INFERRED

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
    ),
    auth_schemes=("bearer",),
    error_style="openai",
    success_style="plain",
    catalogue=load_catalogue("qhaigc"),
    limits=LimitPolicy(rpm=500, rpd=20_000, tpm=500_000, header_style="openai"),
    id_prefixes={"chat": "chatcmpl-", "request": "req_"},
    documents_forbidden=False,
)

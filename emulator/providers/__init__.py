"""Every provider profile, by slug. A sixth provider is one more module and one line."""

from __future__ import annotations

from . import aimodels, apiyi, qhaigc, ruijing, xiaoai
from .base import Profile

PROFILES: dict[str, Profile] = {
    p.slug: p
    for p in (
        qhaigc.PROFILE,
        apiyi.PROFILE,
        xiaoai.PROFILE,
        ruijing.PROFILE,
        aimodels.PROFILE,
    )
}

__all__ = ["PROFILES", "Profile"]

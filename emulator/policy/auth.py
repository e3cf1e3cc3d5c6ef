"""check_auth: the key from the headers each provider documents."""

from __future__ import annotations

import re
from functools import lru_cache

from ..context import RequestContext
from ..errors import AuthenticationFailed

# A well-formed key: one printable token. Prefixes (`sk-`, `sk-gw-`) are not required, so
# tests can use any key they like.
KEY_RE = re.compile(r"^[A-Za-z0-9._~+/=:\-]{1,512}$")


def extract_key(headers: dict[str, str], schemes: tuple[str, ...]) -> str:
    """The API key, or AuthenticationFailed when it is missing or malformed."""
    return _key_from(schemes, headers.get("authorization"), headers.get("x-api-key"))


@lru_cache(maxsize=1024)
def _key_from(schemes: tuple[str, ...], authorization: str | None,
              api_key: str | None) -> str:
    # Memoised: a client sends the same key header on every request (issue 9). A bad
    # header raises, and lru_cache keeps no exceptions, so its error is worded afresh.
    for scheme in schemes:
        if scheme == "bearer" and authorization is not None:
            kind, _, token = authorization.strip().partition(" ")
            if kind.lower() != "bearer" or not token.strip():
                raise AuthenticationFailed(
                    "Malformed Authorization header: expected 'Bearer <API key>'.")
            return _well_formed(token.strip())
        if scheme == "x-api-key" and api_key is not None:
            return _well_formed(api_key.strip())
    named = " or ".join("'Authorization: Bearer <key>'" if s == "bearer" else "'X-Api-Key'"
                        for s in schemes)
    raise AuthenticationFailed(f"Missing API key: send it as {named}.")


def _well_formed(key: str) -> str:
    if not KEY_RE.match(key):
        raise AuthenticationFailed("Malformed API key.")
    return key


def check_auth(ctx: RequestContext) -> None:
    if ctx.route is not None and not ctx.route.auth:
        return
    ctx.key = extract_key(ctx.headers, ctx.profile.auth_schemes)
    # Registered state (disabled, expired, out of quota) or the unknown-key policy.
    ctx.state.keys.admit(ctx.profile, ctx.key)

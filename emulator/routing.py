"""Route resolution inside one provider: exact paths by dict lookup, `{param}` paths by
pattern, a wrong method on a known path is a 405, anything else a 404 (all in the
provider's own error format)."""

from __future__ import annotations

import re

from .context import RequestContext
from .errors import MethodNotAllowed, NotFound, UnsupportedFeature
from .providers.base import Profile, RouteSpec


class ProfileRouter:
    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.exact: dict[str, dict[str, RouteSpec]] = {}
        self.patterns: list[tuple[re.Pattern[str], RouteSpec]] = []
        for base in profile.base_paths:
            for route in profile.routes:
                if route.pattern is None:
                    self.exact.setdefault(base + route.path, {})[route.method] = route
                else:
                    full = RouteSpec(route.method, base + route.path, route.route_id)
                    assert full.pattern is not None
                    self.patterns.append((full.pattern, route))
        self.unsupported = tuple(base + prefix for base in profile.base_paths
                                 for prefix in profile.unsupported_paths)

    def resolve(self, method: str, path: str) -> tuple[RouteSpec, dict[str, str]]:
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/")
        # HEAD is GET without the body (RFC 9110 9.3.2); the server leaves the body out.
        wanted = "GET" if method == "HEAD" else method
        methods = self.exact.get(path)
        if methods is not None:
            route = methods.get(wanted)
            if route is None:
                raise MethodNotAllowed(
                    f"Method {method} is not allowed on {path}; use {', '.join(methods)}.",
                    headers={"allow": ", ".join(methods)})  # RFC 9110 15.5.6
            return route, {}
        allowed: list[str] = []
        for pattern, route in self.patterns:
            found = pattern.match(path)
            if found:
                if route.method == wanted:
                    return route, found.groupdict()
                allowed.append(route.method)
        if allowed:
            raise MethodNotAllowed(
                f"Method {method} is not allowed on {path}; use {', '.join(allowed)}.",
                headers={"allow": ", ".join(allowed)})
        for prefix in self.unsupported:
            if path == prefix or path.startswith(prefix + "/"):
                raise UnsupportedFeature(
                    f"{self.profile.name} does not support this endpoint ({method} {path}).")
        raise NotFound(f"Invalid URL ({method} {path})")


def resolve_route(ctx: RequestContext) -> None:
    ctx.route, ctx.path_params = ctx.state.routers[ctx.profile.slug].resolve(ctx.method,
                                                                             ctx.path)

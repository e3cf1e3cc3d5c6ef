"""The dispatch step's use of fixtures: find the rule, note it (or the miss) for the journal,
and turn its reply into what the pipeline sends.

Content and tool-call replies go to the route's protocol, which renders them in its own
JSON and SSE shapes; raw bodies and stream scripts are sent as written; errors take the
provider's own error body from envelopes.py (with the status the rule asks for).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .envelopes import render_error
from .errors import ERROR_KINDS, NotFound, default_retry_after
from .fixtures import FixtureMatch
from .fixtures_match import FixtureRequest
from .fixtures_parse import ErrorReply, FixtureReply, RawReply, StreamScript
from .generate.tokens import DICT_OR_MAPPING
from .protocols.base import BinaryReply, CannedReply, JSONReply, Reply, StreamReply
from .providers.base import Profile

if TYPE_CHECKING:
    from .context import RequestContext

# Strict mode leaves these alone: they describe the emulator itself (its model catalogue,
# the media files it links to), so a fixture-only test can still list models and open
# a file its canned image reply points at.
STRICT_EXEMPT_ROUTES = frozenset({"openai.models_list", "openai.models_retrieve", "media.file"})
NO_MATCH = FixtureMatch(None)


def consult_fixtures(ctx: RequestContext) -> CannedReply | Reply | None:
    """The matching rule's answer: a CannedReply for the protocol to render, a finished
    Reply, or None for the generator. Strict mode turns a miss into the provider's 404."""
    assert ctx.route is not None
    state = ctx.state
    # Read as FixtureRequest reads it: a non-string model is "".
    model = ctx.body.get("model") if isinstance(ctx.body, DICT_OR_MAPPING) else None
    if state.fixtures.cannot_match(ctx.profile.slug, ctx.route.route_id,
                                   model if isinstance(model, str) else ""):
        found = NO_MATCH  # what match() would say, without building the request
    else:
        found = state.fixtures.match(
            FixtureRequest(ctx.profile.slug, ctx.route.route_id, ctx.path, ctx.body,
                           ctx.query),
            recorded=False if state.fixtures.has_recorded else None)  # had their turn
    if found.rule is None:
        ctx.fixture_miss = found.miss
        if state.config.strict_fixtures and ctx.route.route_id not in STRICT_EXEMPT_ROUTES:
            # 404, not 5xx: the SDKs retry a 5xx (slow, and it hides the cause) but raise a
            # 404 at once, and "no such canned answer" is what WireMock says with it too.
            raise NotFound("No fixture matches this request (llm-emulator strict mode)"
                           + (f"; {found.miss}" if found.miss else "") + ".",
                           code="fixture_not_matched")
        return None
    ctx.fixture = found.rule.name
    # A recorded stream keeps the upstream's timing only when asked (--replay-speed);
    # delays a user wrote by hand are always kept.
    speed = state.config.replay_speed if found.rule.recorded else None
    return render_fixture_reply(found.rule.reply, ctx.profile, state.clock.now(), speed)


class Replayed(Exception):  # an answer, not an error: the pipeline sends it
    """Raised by `replay_recorded` to answer at once, skipping the later steps."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply)
        self.reply = reply


def replay_recorded(ctx: RequestContext) -> None:
    """The pipeline step that answers with a recorded exchange (record.py) once the body
    is read: the upstream already judged the request, so the emulator's validation and
    limits must not (a real gateway's model may be missing from the catalogue)."""
    store = ctx.state.fixtures
    if not store.has_recorded or ctx.route is None:
        return
    rule = store.match(FixtureRequest(ctx.profile.slug, ctx.route.route_id, ctx.path,
                                      ctx.body, ctx.query), recorded=True).rule
    if rule is None:
        return
    ctx.fixture = rule.name
    reply = render_fixture_reply(rule.reply, ctx.profile, ctx.state.clock.now(),
                                 ctx.state.config.replay_speed)
    assert not isinstance(reply, CannedReply)  # parse_rule: content is never "recorded"
    raise Replayed(reply)


def render_fixture_reply(reply: FixtureReply, profile: Profile, now: float,
                         speed: float | None = None) -> CannedReply | Reply:
    """`speed`: recorded delays are divided by it, 0 drops them; None keeps them."""
    if isinstance(reply, CannedReply):
        return reply
    if isinstance(reply, RawReply):
        headers = dict(reply.headers)
        media_type = headers.pop("content-type")
        return BinaryReply(reply.body, media_type, reply.status, headers)
    if isinstance(reply, StreamScript):
        headers = dict(reply.headers)
        media_type = headers.pop("content-type")
        delays = [e.delay / speed if speed else 0.0 for e in reply.events] \
            if speed is not None else [e.delay for e in reply.events]
        return StreamReply([e.frame for e in reply.events], media_type, headers,
                           delays=delays if any(delays) else None, status=reply.status)
    assert isinstance(reply, ErrorReply)
    error = ERROR_KINDS[reply.kind](reply.message, code=reply.code, status=reply.status)
    status, body = render_error(profile.error_style, error, now)
    headers = dict(reply.headers)
    retry_after = default_retry_after(reply.kind) if status == 429 else None
    if retry_after and not any(name.lower() == "retry-after" for name in headers):
        headers["retry-after"] = str(retry_after)  # as a fault's 429 has it
    return JSONReply(body, status, headers, enveloped=False)

"""Everything an emulator instance remembers between requests. Each app owns one; nothing
lives at module level, so two apps in one process never leak into each other."""

from __future__ import annotations

from typing import Any

from .answer_cache import AnswerCache
from .clock import Clock
from .config import Config
from .fixtures import FixtureStore, load_dir, load_exchanges
from .jobs import JobStore
from .journal import Journal
from .policy.faults import FaultStore
from .policy.keys import KeyRegistry
from .policy.ratelimit import RateLimiter
from .policy.validation import ValidBodies
from .providers.base import Profile
from .routing import ProfileRouter
from .schemas import SchemaStore


class EmulatorState:
    def __init__(self, config: Config, profiles: dict[str, Profile]) -> None:
        self.config = config
        self.profiles = profiles
        self.clock = Clock(config.frozen_at())
        self.journal = Journal(config.journal_size)
        loaded = load_dir(config.fixtures_dir) if config.fixtures_dir else []
        self.fixtures = FixtureStore(loaded, load_exchanges(list(profiles)))
        # Built once and never reset: compiled validators and route tables.
        self.schemas = SchemaStore()
        self.routers = {slug: ProfileRouter(p) for slug, p in profiles.items()}
        self.answers = AnswerCache()  # memoised replies of pure routes (pure: kept)
        self.valid_bodies = ValidBodies()  # request bodies parsed and validated before
        self.keys = KeyRegistry(config.keys, profiles, config.unknown_keys)
        self.jobs = JobStore()  # asynchronous media jobs (Sora video, music)
        self.faults = FaultStore(config.seed, profiles)  # fault rules added at run time
        self.limiter = RateLimiter(profiles, self.keys, self.clock, config.limits_enabled,
                                   config.limit_overrides)

    def reset(self) -> None:
        """Back to a freshly built state: journal, runtime fixtures, clock offset, runtime
        keys, limit windows and overrides (keys and limits from Config stay)."""
        self.clock.reset()
        self.journal.clear()
        self.fixtures.reset()  # runtime rules and every nth count
        self.keys.reset()  # keys from Config stay
        self.limiter.reset()
        self.jobs.clear()
        self.faults.clear()
        self.answers.clear()  # pure, but a test may have swapped a handler since
        self.valid_bodies.clear()  # pure too, but a test may have swapped a schema

    def snapshot(self) -> dict[str, Any]:
        """What reset() must restore, as plain data (a test compares it to a fresh state)."""
        return {
            "clock_offset": self.clock.offset,
            "journal": [e.to_dict() for e in self.journal.entries],
            "journal_dropped": self.journal.dropped,
            "journal_next_id": self.journal.next_id,
            "runtime_fixtures": [r.name for r in self.fixtures.runtime],
            "fixture_counts": len(self.fixtures.counts),
            "runtime_keys": self.keys.snapshot(),
            "limits": self.limiter.snapshot(),
            "jobs": self.jobs.snapshot(),
            "faults": self.faults.snapshot(),
        }

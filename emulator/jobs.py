"""Asynchronous generation jobs (Sora video, music): what was submitted, and where each
job is on the emulator's clock.

The store holds only the submissions; a job's status is a pure function of its creation
time and `now`, so tests move jobs along with `state.clock.advance(seconds)`: queued for
QUEUE_SECONDS, in progress for the job's `render_seconds`, then completed, or failed when
the prompt carries FAIL_MARKER.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

QUEUE_SECONDS = 2.0
# A prompt containing this fails its job (deterministically) once rendering ends.
FAIL_MARKER = "[emulator:fail]"
MAX_JOBS = 10_000


@dataclass(frozen=True)
class Job:
    id: str
    kind: str  # "video", "music"
    created_at: float
    render_seconds: float
    params: dict[str, Any] = field(default_factory=dict)
    fails: bool = False

    def status(self, now: float) -> str:
        """queued | in_progress | completed | failed."""
        elapsed = now - self.created_at
        if elapsed < QUEUE_SECONDS:
            return "queued"
        if elapsed < QUEUE_SECONDS + self.render_seconds:
            return "in_progress"
        return "failed" if self.fails else "completed"

    def progress(self, now: float) -> int:
        """Percent done: 0 while queued, rising while in progress, 100 at the end."""
        elapsed = now - self.created_at - QUEUE_SECONDS
        if elapsed <= 0:
            return 0
        if elapsed >= self.render_seconds:
            return 100
        return int(100 * elapsed / self.render_seconds)

    def finished_at(self) -> float:
        return self.created_at + QUEUE_SECONDS + self.render_seconds


@dataclass(frozen=True)
class StoredResponse:
    """A Responses API answer kept for retrieval (`store`, true by default), with the
    input items it answered."""

    response: dict[str, Any]
    input_items: list[dict[str, Any]]


class JobStore:
    """Submitted jobs by id, and stored Responses API answers by id (the oldest of each
    dropped past MAX_JOBS)."""

    def __init__(self) -> None:
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self.submitted = 0  # ever, so ids stay distinct for identical submissions
        self.responses: OrderedDict[str, StoredResponse] = OrderedDict()

    def add(self, job: Job) -> Job:
        self.jobs[job.id] = job
        self.submitted += 1
        while len(self.jobs) > MAX_JOBS:
            self.jobs.popitem(last=False)
        return job

    def get(self, job_id: str, kind: str) -> Job | None:
        job = self.jobs.get(job_id)
        return job if job is not None and job.kind == kind else None

    def of_kind(self, kind: str) -> list[Job]:
        """The jobs of one kind, oldest first."""
        return [job for job in self.jobs.values() if job.kind == kind]

    def remove(self, job_id: str) -> None:
        self.jobs.pop(job_id, None)

    def keep_response(self, stored: StoredResponse) -> None:
        self.responses[stored.response["id"]] = stored
        while len(self.responses) > MAX_JOBS:
            self.responses.popitem(last=False)

    def clear(self) -> None:
        self.jobs.clear()
        self.submitted = 0
        self.responses.clear()

    def snapshot(self) -> dict[str, Any]:
        return {"submitted": self.submitted,
                "jobs": {j.id: [j.kind, j.created_at, j.params] for j in self.jobs.values()},
                "responses": list(self.responses)}

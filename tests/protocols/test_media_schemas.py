"""Every media answer matches its shipped response schema (aimodels: the envelope's data)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator import EmulatorApp
from tests.conftest import AUTH
from tests.protocols.media_helpers import wav_bytes

JSON_CALLS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("apiyi", "openai.images_generations", "/images/generations",
     {"model": "gpt-image-1", "prompt": "x"}),
    ("qhaigc", "openai.images_generations", "/images/generations",
     {"model": "dall-e-3", "prompt": "x", "response_format": "b64_json", "size": "256x256"}),
    ("aimodels", "aimodels.images_generations", "/images/generations",
     {"model": "seeddream-4.0", "prompt": "x", "n": 4}),
    ("aimodels", "aimodels.audio_generations", "/audio/generations",
     {"model": "audiogen", "prompt": "x", "duration": 2}),
    ("aimodels", "aimodels.video_generations", "/video/generations",
     {"model": "videogen-pro", "prompt": "x", "duration": 2}),
    ("ruijing", "ruijing.vision_analyze", "/vision/analyze",
     {"image": "https://e.com/i.png", "features": ["objects", "labels", "text", "faces",
                                                  "colors"]}),
    ("qhaigc", "openai.videos_create", "/videos", {"prompt": "x"}),
]


@pytest.mark.parametrize(("slug", "route_id", "path", "body"), JSON_CALLS)
def test_json_answers_match_their_schema(app: EmulatorApp, client: TestClient, slug: str,
                                         route_id: str, path: str,
                                         body: dict[str, Any]) -> None:
    response = client.post(f"/{slug}/v1{path}", headers=AUTH, json=body)
    assert response.status_code == 200, response.text
    payload = response.json()
    if slug == "aimodels":
        payload = payload["data"]
    assert app.state.schemas.load(slug, route_id, "response") is not None
    assert app.state.schemas.violation(slug, route_id, payload, part="response") is None


@pytest.mark.parametrize("fmt", ["json", "verbose_json"])
@pytest.mark.parametrize("slug", ["apiyi", "ruijing", "qhaigc"])
def test_transcriptions_match_their_schema(app: EmulatorApp, client: TestClient, slug: str,
                                           fmt: str) -> None:
    model = "ruijing-whisper" if slug == "ruijing" else "whisper-1"
    response = client.post(f"/{slug}/v1/audio/transcriptions", headers=AUTH,
                           files={"file": ("a.wav", wav_bytes(1.5), "audio/wav")},
                           data={"model": model, "response_format": fmt})
    assert response.status_code == 200, response.text
    assert app.state.schemas.load(slug, "openai.audio_transcriptions", "response") is not None
    assert app.state.schemas.violation(slug, "openai.audio_transcriptions", response.json(),
                                       part="response") is None


def test_music_fetch_matches_its_schema(app: EmulatorApp, client: TestClient) -> None:
    task = client.post("/qhaigc/v1/suno/submit/music", headers=AUTH,
                       json={"prompt": "x"}).json()["data"]
    assert app.state.schemas.load("qhaigc", "suno.fetch", "response") is not None
    for advance in (0, 5, 60):
        app.state.clock.advance(advance)
        fetched = client.get(f"/qhaigc/v1/suno/fetch/{task}", headers=AUTH).json()
        assert app.state.schemas.violation("qhaigc", "suno.fetch", fetched,
                                           part="response") is None


def test_job_answers_match_their_schemas_through_the_lifecycle(app: EmulatorApp,
                                                               client: TestClient) -> None:
    schemas = app.state.schemas
    submitted = client.post("/qhaigc/v1/suno/submit/music", headers=AUTH,
                            json={"prompt": "x"}).json()
    assert schemas.load("qhaigc", "suno.submit_music", "response") is not None
    assert schemas.violation("qhaigc", "suno.submit_music", submitted, part="response") is None
    video = client.post("/qhaigc/v1/videos", headers=AUTH, json={"prompt": "x"}).json()
    assert schemas.load("qhaigc", "openai.videos_retrieve", "response") is not None
    seen = set()
    for advance in (0, 5, 60):
        app.state.clock.advance(advance)
        polled = client.get(f"/qhaigc/v1/videos/{video['id']}", headers=AUTH).json()
        seen.add(polled["status"])
        assert schemas.violation("qhaigc", "openai.videos_retrieve", polled,
                                 part="response") is None
    assert seen == {"queued", "in_progress", "completed"}

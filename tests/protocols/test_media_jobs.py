"""qhaigc's asynchronous jobs (Sora video, Suno-style music) on the emulator's clock, and
aimodels' synchronous audio and video generation."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.testclient import TestClient

from emulator import EmulatorApp
from emulator.generate.audio import sniff_media
from emulator.generate.video import mp4_info
from emulator.jobs import FAIL_MARKER
from tests.conftest import AUTH


def test_video_job_moves_on_the_clock(app: EmulatorApp, client: TestClient) -> None:
    created = client.post("/qhaigc/v1/videos", headers=AUTH, files={
        "prompt": (None, "a cat"), "model": (None, "sora-2"), "seconds": (None, "8"),
        "size": (None, "1280x720")})
    assert created.status_code == 200
    video = created.json()
    assert video["object"] == "video" and video["status"] == "queued"
    assert video["progress"] == 0 and video["seconds"] == "8" and video["size"] == "1280x720"
    path = f"/qhaigc/v1/videos/{video['id']}"
    early = client.get(path + "/content", headers=AUTH)
    assert early.status_code == 400
    app.state.clock.advance(12)
    running = client.get(path, headers=AUTH).json()
    assert running["status"] == "in_progress" and 0 < running["progress"] < 100
    app.state.clock.advance(60)
    done = client.get(path, headers=AUTH).json()
    assert done["status"] == "completed" and done["progress"] == 100
    assert done["completed_at"] == video["created_at"] + 22
    content = client.get(path + "/content", headers=AUTH)
    assert content.headers["content-type"] == "video/mp4"
    assert mp4_info(content.content) == (8.0, 1280, 720)


def test_video_json_body_and_failure_marker(app: EmulatorApp, client: TestClient) -> None:
    video = client.post("/qhaigc/v1/videos", headers=AUTH,
                        json={"prompt": f"a dog {FAIL_MARKER}", "seconds": 4}).json()
    app.state.clock.advance(3600)
    failed = client.get(f"/qhaigc/v1/videos/{video['id']}", headers=AUTH).json()
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "video_generation_failed"
    assert client.get(f"/qhaigc/v1/videos/{video['id']}/content",
                      headers=AUTH).status_code == 400


def test_identical_submissions_are_distinct_jobs_and_reset_forgets(
        app: EmulatorApp, client: TestClient) -> None:
    first = client.post("/qhaigc/v1/videos", headers=AUTH, json={"prompt": "x"}).json()
    second = client.post("/qhaigc/v1/videos", headers=AUTH, json={"prompt": "x"}).json()
    assert first["id"] != second["id"]
    app.state.reset()
    assert client.get(f"/qhaigc/v1/videos/{first['id']}", headers=AUTH).status_code == 404


def test_bad_video_size_is_400(client: TestClient) -> None:
    response = client.post("/qhaigc/v1/videos", headers=AUTH,
                           json={"prompt": "x", "size": "640x480"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "size"


def test_music_task_lifecycle(app: EmulatorApp, client: TestClient) -> None:
    submitted = client.post("/qhaigc/v1/suno/submit/music", headers=AUTH, json={
        "gpt_description_prompt": "calm piano", "mv": "chirp-v4", "title": "Calm"}).json()
    assert submitted["code"] == "success"
    task_id = submitted["data"]
    fetch = f"/qhaigc/suno/fetch/{task_id}"  # the Hong Kong node's form, without /v1
    assert client.get(fetch, headers=AUTH).json()["data"]["status"] == "SUBMITTED"
    app.state.clock.advance(5)
    running = client.get(fetch, headers=AUTH).json()["data"]
    assert running["status"] == "IN_PROGRESS" and running["data"][0]["audio_url"] == ""
    app.state.clock.advance(30)
    task = client.get(fetch, headers=AUTH).json()["data"]
    assert task["status"] == "SUCCESS" and task["progress"] == "100%"
    assert len(task["data"]) == 2
    clip = task["data"][0]
    audio = client.get(urlsplit(clip["audio_url"]).path)
    assert audio.headers["content-type"] == "audio/mpeg"
    assert sniff_media(audio.content) == "mp3"
    assert len(audio.content) == round(clip["duration"] * 24_000 / 576) * 96


def test_music_failure_and_unknown_task(app: EmulatorApp, client: TestClient) -> None:
    task_id = client.post("/qhaigc/v1/suno/submit/music", headers=AUTH,
                          json={"prompt": f"song {FAIL_MARKER}"}).json()["data"]
    app.state.clock.advance(120)
    task = client.get(f"/qhaigc/v1/suno/fetch/{task_id}", headers=AUTH).json()["data"]
    assert task["status"] == "FAILURE" and task["fail_reason"]
    assert client.get("/qhaigc/v1/suno/fetch/nope", headers=AUTH).status_code == 404
    assert client.post("/qhaigc/v1/suno/submit/music", headers=AUTH,
                       json={"title": "no prompt"}).status_code == 400


def test_aimodels_audio_and_video_urls_serve_the_requested_file(client: TestClient) -> None:
    audio = client.post("/aimodels/v1/audio/generations", headers=AUTH, json={
        "model": "audiogen", "prompt": "rain", "duration": 4, "format": "wav"}).json()
    assert audio["success"] is True
    served = client.get(urlsplit(audio["data"]["audio"]["url"]).path)
    assert served.headers["content-type"] == "audio/wav"
    assert len(served.content) == 44 + 4 * 24_000 * 2
    video = client.post("/aimodels/v1/video/generations", headers=AUTH, json={
        "model": "videogen-pro", "prompt": "yarn", "duration": 10,
        "resolution": "1920x1080"}).json()["data"]
    assert video["usage"]["seconds"] == 10
    clip = client.get(urlsplit(video["video"]["url"]).path)
    assert mp4_info(clip.content) == (10.0, 1920, 1080)
    bad = client.post("/aimodels/v1/video/generations", headers=AUTH, json={
        "model": "videogen-pro", "prompt": "yarn", "resolution": "10x10"})
    assert bad.status_code == 400 and bad.json()["success"] is False

"""Speech, transcription and translation (multipart uploads) in process."""

from __future__ import annotations

import json
import re
from itertools import pairwise

import pytest
from starlette.testclient import TestClient

from emulator.generate.audio import encode_audio, sniff_media
from emulator.generate.video import mp4_clip, mp4_info
from tests.conftest import AUTH, SCHEMAS
from tests.protocols.media_helpers import wav_bytes, wav_seconds


def _transcribe(client: TestClient, slug: str, name: str, data: bytes,
                **fields: str) -> object:
    return client.post(f"/{slug}/v1/audio/transcriptions", headers=AUTH,
                       files={"file": (name, data, "application/octet-stream")},
                       data={"model": "ruijing-whisper" if slug == "ruijing" else "whisper-1",
                             **fields})


def test_ruijing_accepts_a_real_wav(client: TestClient) -> None:
    response = _transcribe(client, "ruijing", "note.wav", wav_bytes(2.0))
    assert response.status_code == 200
    assert response.json()["text"]


MP3_FRAME = b"\xff\xf3" + bytes(94)  # an MPEG-2 layer III frame sync
MP4_HEAD = b"\x00\x00\x00\x20ftypisom" + bytes(200)


@pytest.mark.parametrize(("name", "data"), [
    ("a.mp3", b"ID3\x04" + bytes(200)), ("a.mp3", MP3_FRAME * 4), ("a.mpga", MP3_FRAME * 4),
    ("a.mpeg", MP3_FRAME * 4), ("a.mpeg", MP4_HEAD), ("a.mp4", MP4_HEAD), ("A.M4A", MP4_HEAD),
    ("a.mpeg", b"\x00\x00\x01\xba" + bytes(200)),  # an MPEG program stream (video file)
    ("a.webm", b"\x1a\x45\xdf\xa3" + bytes(200)), ("a.wav", wav_bytes(0.5)),
])
def test_ruijing_accepts_each_documented_format(client: TestClient, name: str,
                                                data: bytes) -> None:
    """语音识别 "支持格式": mp3, mp4, mpeg, mpga, m4a, wav, webm (extension and bytes)."""
    response = _transcribe(client, "ruijing", name, data)
    assert response.status_code == 200, response.text
    assert response.json()["text"]


@pytest.mark.parametrize(("name", "data"), [
    ("note.wav", b"ID3\x04" + bytes(200)),  # an MP3 named .wav
    ("note.mp4", b"\x1a\x45\xdf\xa3" + bytes(200)),  # a WebM named .mp4
    ("note.mp3", b"hello, this is not audio at all" * 4),
    ("note.ogg", b"OggS" + bytes(200)),  # not a ruijing format
    ("note.mp3", b"\x00\x00\x01\xba" + bytes(200)),  # a program stream is no MP3
    ("note", wav_bytes(0.5)),  # no extension
])
def test_ruijing_rejects_wrong_extension_or_magic_bytes(client: TestClient, name: str,
                                                        data: bytes) -> None:
    response = _transcribe(client, "ruijing", name, data)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize(("slug", "formats"), [
    ("ruijing", ["m4a", "mp3", "mp4", "mpeg", "mpga", "wav", "webm"]),  # its own list
    ("apiyi", ["flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm"]),
])
def test_a_bad_upload_names_the_providers_own_formats(client: TestClient, slug: str,
                                                      formats: list[str]) -> None:
    refused = _transcribe(client, slug, "note.mp3", b"not audio at all" * 8)
    assert refused.status_code == 400
    assert f"Supported formats: {formats}," in refused.json()["error"]["message"]
    # The request schema's filename pattern accepts exactly those extensions.
    pattern = SCHEMAS / slug / "openai.audio_transcriptions.request.json"
    schema = json.loads(pattern.read_text())["properties"]["file"]
    regex = re.compile(schema["properties"]["filename"].get("pattern", ".*"))
    for ext in ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm"):
        assert bool(regex.search(f"a.{ext}")) == (ext in formats), ext


def test_missing_file_is_400_naming_file(client: TestClient) -> None:
    response = client.post("/apiyi/v1/audio/transcriptions", headers=AUTH,
                           files={"model": (None, "whisper-1")})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "file"


def test_json_body_on_a_multipart_route_is_400(client: TestClient) -> None:
    response = client.post("/apiyi/v1/audio/transcriptions", headers={
        **AUTH, "content-type": "text/plain"}, content=b"hello")
    assert response.status_code == 400


def test_transcript_depends_on_the_bytes_only(client: TestClient) -> None:
    audio = wav_bytes(3.0)
    first = _transcribe(client, "apiyi", "a.wav", audio).json()["text"]
    assert _transcribe(client, "apiyi", "b.wav", audio, prompt="x").json()["text"] == first
    other = _transcribe(client, "apiyi", "a.wav", wav_bytes(3.1)).json()["text"]
    assert other != first


def test_verbose_json_segments_cover_the_wav(client: TestClient) -> None:
    audio = wav_bytes(7.25)
    body = _transcribe(client, "apiyi", "a.wav", audio, response_format="verbose_json",
                       language="en", temperature="0.2",
                       **{"timestamp_granularities[]": "word"}).json()
    assert body["duration"] == pytest.approx(7.25)
    segments = body["segments"]
    assert segments[0]["start"] == 0
    assert segments[-1]["end"] == pytest.approx(wav_seconds(audio), abs=0.001)
    for before, after in pairwise(segments):
        assert before["end"] == pytest.approx(after["start"], abs=0.01)
    assert "".join(s["text"] for s in segments) == body["text"]
    assert body["words"][-1]["end"] == pytest.approx(7.25, abs=0.01)


def test_temperature_out_of_range_is_400(client: TestClient) -> None:
    response = _transcribe(client, "apiyi", "a.wav", wav_bytes(1), temperature="3")
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "temperature"


def test_srt_and_vtt_are_text(client: TestClient) -> None:
    audio = wav_bytes(5.0)
    srt = _transcribe(client, "qhaigc", "a.wav", audio, response_format="srt")
    assert srt.headers["content-type"].startswith("text/plain")
    assert srt.text.startswith("1\n00:00:00,000 --> ")
    assert "--> 00:00:05,000" in srt.text
    vtt = _transcribe(client, "qhaigc", "a.wav", audio, response_format="vtt")
    assert vtt.text.startswith("WEBVTT\n\n00:00:00.000 --> ")


def test_qhaigc_translation_is_english(client: TestClient) -> None:
    response = client.post("/qhaigc/v1/audio/translations", headers=AUTH,
                           files={"file": ("a.wav", wav_bytes(2.0), "audio/wav")},
                           data={"model": "whisper-1", "response_format": "verbose_json"})
    assert response.status_code == 200
    assert response.json()["task"] == "translate"
    assert response.json()["language"] == "english"


@pytest.mark.parametrize(("fmt", "magic"), [
    ("mp3", "mp3"), ("wav", "wav"), ("flac", "flac"), ("opus", "ogg"), ("aac", "aac")])
def test_speech_formats_are_real_files(client: TestClient, fmt: str, magic: str) -> None:
    response = client.post("/ruijing/v1/audio/speech", headers=AUTH, json={
        "model": "ruijing-tts", "input": "hello there", "voice": "alloy",
        "response_format": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("audio/")
    assert sniff_media(response.content) == magic


def test_speech_pcm_length_follows_the_text(client: TestClient) -> None:
    def seconds(text: str, speed: float = 1.0) -> float:
        response = client.post("/qhaigc/v1/audio/speech", headers=AUTH, json={
            "model": "tts-1", "input": text, "voice": "nova", "response_format": "pcm",
            "speed": speed})
        return len(response.content) / (24_000 * 2)  # 24 kHz, 16-bit mono

    assert seconds("hi") < seconds("hi " * 20) < seconds("hi " * 100)
    assert seconds("hi " * 20, speed=2.0) < seconds("hi " * 20)


def test_speech_rejects_unknown_format_and_empty_input(client: TestClient) -> None:
    for body in ({"response_format": "ogg"}, {"input": ""}):
        response = client.post("/qhaigc/v1/audio/speech", headers=AUTH, json={
            "model": "tts-1", "input": "x", "voice": "nova", **body})
        assert response.status_code == 400


def test_encoded_lengths() -> None:
    assert len(encode_audio("mp3", 2.4)) == 100 * 96  # 100 frames of 24 ms
    assert mp4_info(mp4_clip("1280x720", 7)) == (7.0, 1280, 720)


def test_upload_is_journaled_without_its_bytes(client: TestClient) -> None:
    audio = wav_bytes(1.0)
    assert _transcribe(client, "apiyi", "a.wav", audio).status_code == 200
    entries = client.get("/_emulator/requests").json()["requests"]
    upload = entries[-1]["body"]["file"]
    assert upload["filename"] == "a.wav" and upload["size"] == len(audio)
    assert entries[-1]["body"]["model"] == "whisper-1"

"""aimodels `POST /audio/generations` and `POST /video/generations` (doc: 音頻生成, 視頻生成).
The doc shows only the requests; the answers (inferred) follow its image endpoint: a
URL on the emulator serving a real file of the requested length, format and resolution,
with the usage it was billed for, inside the success envelope."""

from __future__ import annotations

from typing import Any

from ..generate.audio import MIME_TYPES
from .base import Call, JSONReply
from .media_files import audio_name, digest_hex, media_url, video_name

AUDIO_COST_PER_SECOND = 0.0002
VIDEO_COST_PER_SECOND = 0.01


def handle_aimodels_audio(call: Call) -> JSONReply:
    body: dict[str, Any] = call.body
    seconds = int(body.get("duration") or 10)
    fmt = body.get("format") or "mp3"
    name = audio_name(digest_hex(call, "audio"), seconds, fmt)
    return JSONReply({
        "id": call.make_id("audio", length=24),
        "model": body.get("model") or "audiogen",
        "audio": {"url": media_url(call, name), "format": fmt, "mime_type": MIME_TYPES[fmt],
                  "duration": seconds},
        "usage": {"seconds": seconds, "cost": round(AUDIO_COST_PER_SECOND * seconds, 6)},
    })


def handle_aimodels_video(call: Call) -> JSONReply:
    body: dict[str, Any] = call.body
    seconds = int(body.get("duration") or 5)
    resolution = body.get("resolution") or "1920x1080"
    width, _, height = resolution.partition("x")
    name = video_name(digest_hex(call, "video"), resolution, seconds)
    return JSONReply({
        "id": call.make_id("video", length=24),
        "model": body.get("model") or "videogen-pro",
        "video": {"url": media_url(call, name), "format": "mp4", "duration": seconds,
                  "resolution": resolution, "width": int(width), "height": int(height)},
        "usage": {"seconds": seconds, "cost": round(VIDEO_COST_PER_SECOND * seconds, 6)},
    })

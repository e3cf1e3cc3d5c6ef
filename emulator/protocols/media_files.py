"""Generated files, served by the emulator at `<provider base>/media/<name>`.

Stateless: a file's name says everything needed to rebuild it byte for byte, so nothing is
stored and a link stays valid across resets and restarts (with the same emulator seed).

    img-<digest>-<W>x<H>.png           an image of colour bands
    aud-<digest>-<milliseconds>.<fmt>  a tone (wav, pcm, mp3, aac, flac, opus)
    vid-<digest>-<W>x<H>-<seconds>s.mp4  a still H.264 clip

Like a gateway's CDN link, the route needs no API key (RouteSpec.auth False).
"""

from __future__ import annotations

import hashlib
import re

from ..errors import NotFound
from ..generate.audio import MIME_TYPES, encode_audio
from ..generate.images import MAX_SIDE, encode_png
from ..generate.video import RESOLUTIONS, mp4_clip
from .base import BinaryReply, Call

IMAGE_NAME = re.compile(r"^img-([0-9a-f]{16})-(\d{1,4})x(\d{1,4})\.png$")
AUDIO_NAME = re.compile(r"^aud-([0-9a-f]{16})-(\d{1,6})\.([a-z0-9]+)$")
VIDEO_NAME = re.compile(r"^vid-([0-9a-f]{16})-(\d{3,4}x\d{3,4})-(\d{1,3})s\.mp4$")
MAX_AUDIO_MS = 600_000
# Files are immutable: a name always rebuilds the same bytes.
CACHE_HEADERS = {"cache-control": "public, max-age=31536000, immutable"}


def digest_hex(call: Call, salt: str) -> str:
    """16 hex digits naming one generated file of this request."""
    return f"{call.seed.rng(f'media:{salt}').getrandbits(64):016x}"


def media_url(call: Call, name: str) -> str:
    return f"{call.base_url}{call.profile.base_paths[0]}/media/{name}"


def image_name(digest: str, width: int, height: int) -> str:
    return f"img-{digest}-{width}x{height}.png"


def audio_name(digest: str, seconds: float, fmt: str) -> str:
    return f"aud-{digest}-{round(seconds * 1000)}.{fmt}"


def video_name(digest: str, resolution: str, seconds: int) -> str:
    return f"vid-{digest}-{resolution}-{seconds}s.mp4"


def image_bytes(digest: str, width: int, height: int) -> bytes:
    colours = hashlib.blake2b(bytes.fromhex(digest), digest_size=24).digest()
    return encode_png(width, height, colours)


def serve_media_file(call: Call) -> BinaryReply:
    """GET /media/{name}: rebuild the named file (404 for a name we never hand out)."""
    name = call.path_params.get("name", "")
    found = IMAGE_NAME.match(name)
    if found:
        width, height = int(found[2]), int(found[3])
        if 0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE:
            return BinaryReply(image_bytes(found[1], width, height), "image/png",
                               headers=dict(CACHE_HEADERS))
    found = AUDIO_NAME.match(name)
    if found and found[3] in MIME_TYPES and 0 < int(found[2]) <= MAX_AUDIO_MS:
        data = encode_audio(found[3], int(found[2]) / 1000)
        return BinaryReply(data, MIME_TYPES[found[3]], headers=dict(CACHE_HEADERS))
    found = VIDEO_NAME.match(name)
    if found and found[2] in RESOLUTIONS and 0 < int(found[3]) <= 600:
        return BinaryReply(mp4_clip(found[2], int(found[3])), "video/mp4",
                           headers=dict(CACHE_HEADERS))
    raise NotFound(f"No such file: {name}")

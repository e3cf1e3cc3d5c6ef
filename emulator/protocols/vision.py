"""ruijing `POST /vision/analyze` (doc: 图像分析 API). The doc gives the request (`image` as
URL or base64, `features` from objects, labels, text, faces, colors) but no response, so
the shape is ours (inferred): one section under `results` per requested feature.

Results are drawn from the image's bytes (base64) or its URL string: the emulator never
fetches a remote image.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import random
from typing import Any

from ..errors import InvalidRequest
from ..generate.images import png_size
from ..generate.text import generate_text
from .base import Call, JSONReply

IMAGE_MAGIC = {b"\x89PNG": "png", b"\xff\xd8\xff": "jpeg", b"GIF8": "gif", b"BM": "bmp"}
OBJECTS = ("person", "cat", "dog", "car", "bicycle", "tree", "cup", "laptop", "chair",
           "book", "bird", "building", "phone", "bottle", "flower")
LABELS = ("outdoor", "indoor", "nature", "city", "animal", "food", "technology", "sky",
          "portrait", "landscape", "night", "art", "document", "sunset", "water")


def image_format(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((fmt for magic, fmt in IMAGE_MAGIC.items() if data.startswith(magic)), None)


def read_image(image: str) -> tuple[dict[str, Any], bytes]:
    """(description of the image, the bytes its results are drawn from)."""
    text = image.strip()
    if text.startswith(("http://", "https://")):
        return {"source": "url", "url": text}, text.encode()
    if text.startswith("data:"):
        header, _, text = text.partition(",")
        if ";base64" not in header:
            raise InvalidRequest("image: a data URL must be base64-encoded.", param="image")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        data = b""
    fmt = image_format(data) if data else None
    if fmt is None:
        raise InvalidRequest("image must be an http(s) URL or a base64-encoded PNG, JPEG, "
                             "GIF, WebP or BMP image.", param="image")
    described: dict[str, Any] = {"source": "base64", "format": fmt, "bytes": len(data)}
    size = png_size(data)
    if size is not None:
        described["width"], described["height"] = size
    return described, data


def _box(rng: random.Random) -> dict[str, float]:
    x, y = rng.uniform(0, 0.7), rng.uniform(0, 0.7)
    return {"x": round(x, 3), "y": round(y, 3), "width": round(rng.uniform(0.1, 1 - x), 3),
            "height": round(rng.uniform(0.1, 1 - y), 3)}


def _score(rng: random.Random) -> float:
    return round(rng.uniform(0.6, 0.99), 3)


def _colors(rng: random.Random) -> dict[str, Any]:
    shares = sorted((rng.random() for _ in range(4)), reverse=True)
    total = sum(shares)
    dominant = []
    for share in shares:
        rgb = [rng.randrange(256) for _ in range(3)]
        dominant.append({"hex": "#{:02x}{:02x}{:02x}".format(*rgb), "rgb": rgb,
                         "fraction": round(share / total, 3)})
    return {"dominant": dominant}


def _section(feature: str, rng: random.Random) -> Any:
    if feature == "objects":
        return [{"name": rng.choice(OBJECTS), "confidence": _score(rng), "bbox": _box(rng)}
                for _ in range(rng.randint(1, 4))]
    if feature == "labels":
        return [{"name": name, "confidence": _score(rng)}
                for name in rng.sample(LABELS, rng.randint(2, 5))]
    if feature == "text":
        lines = [generate_text(rng, False, rng.randint(2, 6)).strip() for _ in range(2)]
        return {"text": "\n".join(lines), "blocks": [
            {"text": line, "confidence": _score(rng), "bbox": _box(rng)} for line in lines]}
    if feature == "faces":
        return [{"confidence": _score(rng), "bbox": _box(rng),
                 "age_range": sorted(rng.sample(range(5, 80), 2)),
                 "emotion": rng.choice(("neutral", "happy", "surprised", "sad"))}
                for _ in range(rng.randint(0, 2))]
    return _colors(rng)


def handle_vision_analyze(call: Call) -> JSONReply:
    body: dict[str, Any] = call.body
    described, data = read_image(str(body["image"]))
    digest = hashlib.blake2b(data, digest_size=16).digest()
    results = {}
    for feature in dict.fromkeys(body["features"]):  # each once, in the order asked
        results[feature] = _section(feature, random.Random(digest + feature.encode()))
    return JSONReply({
        "id": "vis-" + digest.hex()[:24],
        "object": "vision.analysis",
        "created": int(call.now),
        "model": body.get("model") or "ruijing-vision",
        "image": described,
        "results": results,
    })

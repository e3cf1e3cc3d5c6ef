"""Image generation: OpenAI `POST /images/generations` (apiyi, qhaigc) and aimodels'
enveloped variant. Every image is a real PNG of the stated size, served by the emulator
(media_files.py) or inlined as base64; the request schema has already refused sizes,
qualities, styles and counts the provider does not document."""

from __future__ import annotations

import base64
from typing import Any

from ..generate.images import parse_size
from .base import Call, JSONReply
from .media_files import digest_hex, image_bytes, image_name, media_url

OPENAI_DEFAULT_SIZE = "1024x1024"
# aimodels prices nothing publicly; its example shows 0.0008 for one 1024x1024 image.
AIMODELS_COST_PER_MEGAPIXEL = 0.0008


def _size(text: Any, default: str) -> tuple[int, int]:
    parsed = parse_size(text) if isinstance(text, str) else None
    return parsed or parse_size(default) or (1024, 1024)


def revised_prompt(body: dict[str, Any]) -> str:
    """What the gateway says it drew: the prompt plus the style and quality asked for."""
    extras = [f"{body['style']} style" if body.get("style") else "",
              "high detail" if body.get("quality") == "hd" else ""]
    return ", ".join([str(body.get("prompt", "")).strip()] + [e for e in extras if e])


def handle_openai_images(call: Call) -> JSONReply:
    body: dict[str, Any] = call.body
    width, height = _size(body.get("size"), OPENAI_DEFAULT_SIZE)
    inline = body.get("response_format") == "b64_json"
    revised = revised_prompt(body)
    data = []
    for index in range(int(body.get("n") or 1)):
        digest = digest_hex(call, f"image:{index}")
        item: dict[str, Any] = {"revised_prompt": revised}
        if inline:
            item["b64_json"] = base64.b64encode(image_bytes(digest, width, height)).decode()
        else:
            item["url"] = media_url(call, image_name(digest, width, height))
        data.append(item)
    return JSONReply({"created": int(call.now), "data": data})


def handle_aimodels_images(call: Call) -> JSONReply:
    """`data: {images: [{url, width, height}], usage: {images, cost}}` (doc: 圖像生成)."""
    body: dict[str, Any] = call.body
    width, height = _size(body.get("size"), OPENAI_DEFAULT_SIZE)
    count = int(body.get("n") or 1)
    images = [{"url": media_url(call, image_name(digest_hex(call, f"image:{i}"), width,
                                                 height)),
               "width": width, "height": height} for i in range(count)]
    cost = round(AIMODELS_COST_PER_MEGAPIXEL * count * width * height / (1024 * 1024), 6)
    return JSONReply({"images": images, "usage": {"images": count, "cost": cost}})

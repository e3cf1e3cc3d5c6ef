"""Image generation: OpenAI `POST /images/generations` (apiyi, qhaigc) and aimodels'
enveloped variant. Every image is a real PNG of the stated size, served by the emulator
(media_files.py) or inlined as base64; the request schema has already refused sizes,
qualities, styles and counts the provider does not document.

`stream: true` (the GPT image models only, as OpenAI has it) answers with server-sent
events: `partial_images` (0-3) `image_generation.partial_image` events per image, then
its `image_generation.completed` with the final image and the token usage."""

from __future__ import annotations

import base64
from typing import Any

from ..errors import InvalidRequest
from ..generate.images import parse_size
from ..generate.tokens import count_tokens
from ..sse import frame_event
from .base import Call, JSONReply, Reply, StreamReply
from .media_files import digest_hex, image_bytes, image_name, media_url

OPENAI_DEFAULT_SIZE = "1024x1024"
# aimodels prices nothing publicly; its example shows 0.0008 for one 1024x1024 image.
AIMODELS_COST_PER_MEGAPIXEL = 0.0008
# Image output tokens of the GPT image models by size and quality (OpenAI's image
# generation guide; another size in proportion to its area from the square's), and what
# each partial image adds.
IMAGE_TOKENS = {
    "1024x1024": {"low": 272, "medium": 1056, "high": 4160},
    "1024x1536": {"low": 408, "medium": 1584, "high": 6240},
    "1536x1024": {"low": 400, "medium": 1568, "high": 6208},
}
PARTIAL_IMAGE_TOKENS = 100
# Quality names of the GPT image models; dall-e's hd and standard map to them.
GPT_IMAGE_QUALITY = {"hd": "high", "standard": "medium"}


def _size(text: Any, default: str) -> tuple[int, int]:
    parsed = parse_size(text) if isinstance(text, str) else None
    return parsed or parse_size(default) or (1024, 1024)


def revised_prompt(body: dict[str, Any]) -> str:
    """What the gateway says it drew: the prompt plus the style and quality asked for."""
    extras = [f"{body['style']} style" if body.get("style") else "",
              "high detail" if body.get("quality") == "hd" else ""]
    return ", ".join([str(body.get("prompt", "")).strip()] + [e for e in extras if e])


def handle_openai_images(call: Call) -> Reply:
    body: dict[str, Any] = call.body
    width, height = _size(body.get("size"), OPENAI_DEFAULT_SIZE)
    if body.get("stream"):
        return stream_images(call, width, height)
    inline = body.get("response_format") == "b64_json"
    revised = revised_prompt(body)
    data = []
    for index in range(int(body.get("n") or 1)):
        digest = digest_hex(call, f"image:{index}")
        item: dict[str, Any] = {"revised_prompt": revised}
        if inline:
            item["b64_json"] = _b64(digest, width, height)
        else:
            item["url"] = media_url(call, image_name(digest, width, height))
        data.append(item)
    return JSONReply({"created": int(call.now), "data": data})


def stream_images(call: Call, width: int, height: int) -> StreamReply:
    """Partial images, then the final one, for each image asked for; all inline."""
    body: dict[str, Any] = call.body
    model = str(body.get("model", ""))
    if not model.startswith("gpt-image"):
        raise InvalidRequest(f"Streaming is only supported for the GPT image models, not "
                             f"'{model}'.", param="stream")
    quality = body.get("quality") or "auto"
    quality = GPT_IMAGE_QUALITY.get(quality, quality)
    partials = int(body.get("partial_images") or 0)
    # The image's own settings, as each event restates them; every image is a PNG.
    settings = {"created_at": int(call.now), "size": f"{width}x{height}",
                "quality": quality, "background": body.get("background") or "auto",
                "output_format": "png"}
    text_tokens = count_tokens(str(body.get("prompt", "")))
    per_image = image_tokens(width, height, quality) + partials * PARTIAL_IMAGE_TOKENS
    events = []
    for index in range(int(body.get("n") or 1)):
        for partial in range(partials):
            digest = digest_hex(call, f"image:{index}:partial:{partial}")
            events.append(frame_event("image_generation.partial_image", {
                "type": "image_generation.partial_image", "b64_json": _b64(digest, width,
                                                                           height),
                **settings, "partial_image_index": partial}))
        events.append(frame_event("image_generation.completed", {
            "type": "image_generation.completed",
            "b64_json": _b64(digest_hex(call, f"image:{index}"), width, height), **settings,
            "usage": {"total_tokens": text_tokens + per_image, "input_tokens": text_tokens,
                      "output_tokens": per_image,
                      "input_tokens_details": {"text_tokens": text_tokens,
                                               "image_tokens": 0}}}))
    return StreamReply(events)


def image_tokens(width: int, height: int, quality: str) -> int:
    """An image's output tokens; `auto` quality counts as medium."""
    level = quality if quality in ("low", "high") else "medium"
    table = IMAGE_TOKENS.get(f"{width}x{height}")
    if table is not None:
        return table[level]
    return round(IMAGE_TOKENS["1024x1024"][level] * width * height / (1024 * 1024))


def _b64(digest: str, width: int, height: int) -> str:
    return base64.b64encode(image_bytes(digest, width, height)).decode()


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

"""The floor: a bare Starlette app on uvicorn returning a fixed chat body, and a fixed
20-event stream sent one event per write (Starlette's StreamingResponse)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

BODY = json.dumps({
    "id": "chatcmpl-floor", "object": "chat.completion", "created": 1705314600,
    "model": "gpt-4o", "choices": [{"index": 0, "message": {
        "role": "assistant", "content": "A fixed answer of about the usual size for a test.",
        "refusal": None}, "logprobs": None, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 9, "completion_tokens": 12, "total_tokens": 21}}).encode()
CHUNK = (b'data: {"id":"chatcmpl-floor","object":"chat.completion.chunk","created":1705314600,'
         b'"model":"gpt-4o","choices":[{"index":0,"delta":{"content":" word"},'
         b'"logprobs":null,"finish_reason":null}]}\n\n')


async def chat(request: Request) -> Response:
    await request.body()
    return Response(BODY, media_type="application/json")


async def stream(request: Request) -> Response:
    await request.body()

    async def events() -> AsyncIterator[bytes]:
        for _ in range(19):
            yield CHUNK
        yield b"data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


async def health(request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


app = Starlette(routes=[
    Route("/v1/chat/completions", chat, methods=["POST"]),
    Route("/v1/stream", stream, methods=["POST"]),
    Route("/_emulator/health", health),
])

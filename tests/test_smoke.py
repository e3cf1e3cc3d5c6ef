from __future__ import annotations

import openai

from emulator import EmulatorServer

from .conftest import KEY


def test_openai_sdk_chat_round_trip_on_apiyi(server: EmulatorServer) -> None:
    client = openai.OpenAI(base_url=server.base_url("apiyi"), api_key=KEY, max_retries=0)
    reply = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Say something"}])
    assert reply.object == "chat.completion"
    assert reply.choices[0].message.content
    assert reply.usage is not None
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens

"""xiaoai's documented errors ("5. 错误处理") as the real `anthropic` SDK raises them on the
Messages route: 403 permission_error for a disabled or expired key and 502 upstream_error,
which the SDK retries (status >= 500) as an InternalServerError. (429 rate_limit_error:
tests/sdk/test_retries.py; 400 and 401: test_anthropic_sdk.py.)"""

from __future__ import annotations

from typing import Any

import anthropic
import httpx
import httpx2  # what anthropic 2.x builds on (its http_client is an httpx2.Client)
import pytest

from emulator import EmulatorServer
from emulator.errors import UpstreamError
from emulator.protocols import HANDLERS
from emulator.protocols.base import Call, Reply

from ..conftest import KEY

MODEL = "xiaoai-chat-v1"
POEM = [{"role": "user", "content": "写一首关于春天的诗"}]


def sdk(server: EmulatorServer, key: str = KEY, retries: int = 0,
        **kwargs: Any) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.anthropic_base_url("xiaoai"), api_key=key,
                               max_retries=retries, **kwargs)


class Statuses(list[int]):
    """The status of every attempt the SDK makes (an httpx2 response hook)."""

    def client(self) -> httpx2.Client:
        return httpx2.Client(event_hooks={"response": [lambda r: self.append(r.status_code)]})


def create(client: anthropic.Anthropic) -> anthropic.types.Message:
    return client.messages.create(model=MODEL, max_tokens=32, messages=POEM)


@pytest.mark.parametrize("state", ["disabled", "expired"])
def test_disabled_or_expired_key_is_permission_denied(server: EmulatorServer,
                                                      state: str) -> None:
    with httpx.Client(base_url=server.url) as control:
        added = control.post("/_emulator/keys", json={"key": "sk-gw-old", "state": state})
    assert added.status_code == 200
    statuses = Statuses()
    with pytest.raises(anthropic.PermissionDeniedError) as caught:
        create(sdk(server, key="sk-gw-old", retries=2, http_client=statuses.client()))
    assert caught.value.status_code == 403
    assert caught.value.body == {"error": {"type": "permission_error",
                                           "message": f"The API key has been {state}."}}
    assert statuses == [403]  # a 403 is never retried
    assert create(sdk(server)).type == "message"  # other keys are untouched


class FailingFirst:
    """The Messages handler, answering xiaoai's 502 upstream_error the first `times`."""

    def __init__(self, times: int) -> None:
        self.left = times
        self.handler = HANDLERS["anthropic.messages"]

    def __call__(self, call: Call) -> Reply:
        if self.left > 0:
            self.left -= 1
            raise UpstreamError("The upstream model service did not answer.")
        return self.handler(call)


def test_502_is_retried_then_succeeds(server: EmulatorServer,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(HANDLERS, "anthropic.messages", FailingFirst(1))
    statuses = Statuses()
    message = create(sdk(server, retries=1, http_client=statuses.client()))
    assert message.type == "message"
    assert statuses == [502, 200]


def test_502_is_internal_server_error_once_retries_run_out(
        server: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(HANDLERS, "anthropic.messages", FailingFirst(2))
    statuses = Statuses()
    with pytest.raises(anthropic.InternalServerError) as caught:
        create(sdk(server, retries=1, http_client=statuses.client()))
    assert caught.value.status_code == 502
    assert caught.value.body == {"error": {
        "type": "upstream_error", "message": "The upstream model service did not answer."}}
    assert statuses == [502, 502]

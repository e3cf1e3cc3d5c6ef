"""Bodies parsed and validated before (policy/validation.ValidBodies) skip the parse and
the schema check, and nothing else: errors, the model check and the journal still apply."""

from __future__ import annotations

from starlette.testclient import TestClient

from emulator import Config, create_app

from ..conftest import AUTH, FROZEN

URL = "/apiyi/v1/chat/completions"
BODY = b'{"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi there"}]}'
JSON = {"Content-Type": "application/json", **AUTH}


def test_a_repeated_body_is_parsed_once_and_answers_the_same() -> None:
    with TestClient(create_app(Config(clock=FROZEN))) as client:
        first = client.post(URL, headers=JSON, content=BODY)
        again = client.post(URL, headers=JSON, content=BODY)
        assert first.status_code == again.status_code == 200
        assert first.content == again.content
        state = client.app.state  # type: ignore[attr-defined]
        assert len(state.valid_bodies.entries) == 1
        first_entry, second_entry = list(state.journal.entries)
        assert first_entry.body == second_entry.body == {
            "model": "gpt-4o", "messages": [{"role": "user", "content": "Hi there"}]}


def test_an_invalid_body_is_not_kept_and_fails_every_time() -> None:
    bad = b'{"model": "gpt-4o", "messages": "not a list"}'
    with TestClient(create_app(Config(clock=FROZEN))) as client:
        answers = [client.post(URL, headers=JSON, content=bad) for _ in range(2)]
        assert [a.status_code for a in answers] == [400, 400]
        assert answers[0].json() == answers[1].json()
        assert len(client.app.state.valid_bodies.entries) == 0  # type: ignore[attr-defined]


def test_a_known_body_still_meets_the_model_check_and_reset_forgets_it() -> None:
    body = b'{"model": "no-such-model", "messages": [{"role": "user", "content": "Hi"}]}'
    with TestClient(create_app(Config(clock=FROZEN))) as client:
        answers = [client.post(URL, headers=JSON, content=body) for _ in range(2)]
        assert [a.status_code for a in answers] == [404, 404]
        client.post(URL, headers=JSON, content=BODY)
        state = client.app.state  # type: ignore[attr-defined]
        assert state.valid_bodies.entries
        state.reset()
        assert not state.valid_bodies.entries

"""qhaigc's rerank (`POST /v1/rerank`, the Jina/Cohere shape gateways relay) in process:
scored by word overlap like the embeddings, sorted, cut at top_n, deterministic."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from starlette.testclient import TestClient

from emulator import EmulatorApp
from emulator.generate.vectors import embed_text
from emulator.protocols.rerank import RERANK_DIMENSIONS, relevance
from tests.conftest import AUTH
from tests.protocols.test_embeddings import triples

URL = "/qhaigc/v1/rerank"
MODEL = "bge-reranker-v2-m3"
DOCUMENTS = [
    "The weather in Paris is mild in spring.",
    "Cats sleep most of the day.",
    "Paris weather forecast: rain tomorrow.",
    "A recipe for lemon cake.",
]


def rerank(client: TestClient, **body: Any) -> Any:
    response = client.post(URL, headers=AUTH, json={"model": MODEL} | body)
    assert response.status_code == 200, response.text
    return response.json()


def test_results_are_sorted_by_overlap_with_the_query(app: EmulatorApp,
                                                      client: TestClient) -> None:
    body = rerank(client, query="weather in Paris", documents=DOCUMENTS)
    assert app.state.schemas.violation("qhaigc", "rerank.rerank", body, part="response") \
        is None
    results = body["results"]
    assert {r["index"] for r in results[:2]} == {0, 2}  # the two about Paris weather
    scores = [r["relevance_score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s < 1 for s in scores)
    assert results[0]["relevance_score"] > 0.5 > results[-1]["relevance_score"]
    assert all(r["document"] == {"text": DOCUMENTS[r["index"]]} for r in results)
    assert body["model"] == MODEL and body["usage"]["total_tokens"] > 0
    assert rerank(client, query="weather in Paris", documents=DOCUMENTS) == body


def test_top_n_and_return_documents(client: TestClient) -> None:
    full = rerank(client, query="cake recipe", documents=DOCUMENTS)["results"]
    top = rerank(client, query="cake recipe", documents=DOCUMENTS, top_n=2,
                 return_documents=False)["results"]
    assert [r["index"] for r in top] == [r["index"] for r in full[:2]]
    assert top[0]["index"] == 3
    assert all("document" not in r for r in top)


def test_object_documents_are_read_by_their_text(client: TestClient) -> None:
    plain = rerank(client, query="cats", documents=DOCUMENTS)["results"]
    objects = rerank(client, query="cats", documents=[{"text": d} for d in DOCUMENTS])
    assert [r["relevance_score"] for r in objects["results"]] == \
        [r["relevance_score"] for r in plain]


@pytest.mark.parametrize(("body", "param"), [
    ({"query": "x"}, "documents"),
    ({"query": "x", "documents": []}, "documents"),
    ({"query": "", "documents": ["a"]}, "query"),
    ({"query": "x", "documents": [3]}, "documents"),
    ({"query": "x", "documents": ["a"], "top_n": 0}, "top_n"),
])
def test_bad_requests_are_qhaigc_400s(client: TestClient, body: dict[str, Any],
                                      param: str) -> None:
    response = client.post(URL, headers=AUTH, json={"model": MODEL} | body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert param in (error["param"] or "")


@settings(max_examples=60, deadline=None, derandomize=True)
@given(triples())
def test_a_document_sharing_words_outranks_one_sharing_none(
        triple: tuple[str, str, str]) -> None:
    """Over HTTP above; here over many drawn texts, as the embeddings property is."""
    query, near, far = (embed_text(t, MODEL, RERANK_DIMENSIONS) for t in triple)
    assert relevance(query, near) > relevance(query, far)

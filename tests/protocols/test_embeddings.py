"""Embeddings (`POST /v1/embeddings` on qhaigc, apiyi, xiaoai, ruijing) in process: shapes and
dimensions per model, the base64 encoding, the input forms, and the retrieval property
(texts sharing words are closer than texts sharing none) as a hypothesis test."""

from __future__ import annotations

import base64
import math
import struct
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from emulator import Config, EmulatorApp, create_app
from emulator.generate.tokens import count_tokens
from emulator.generate.vectors import STOPWORDS, cosine, embed_text
from tests.conftest import AUTH

# (provider, model, dimensions): the docs' numbers (ruijing "文本嵌入", apiyi's ada-002 is
# OpenAI's 1536) and the catalogue's for the rest.
MODELS = [
    ("apiyi", "text-embedding-ada-002", 1536),
    ("qhaigc", "text-embedding-3-small", 1536),
    ("qhaigc", "text-embedding-3-large", 3072),
    ("xiaoai", "xiaoai-embed-v1", 1024),
    ("ruijing", "ruijing-embedding", 1536),
    ("ruijing", "ruijing-embedding-large", 3072),
]


def embed(client: TestClient, slug: str, model: str, value: Any, **extra: Any) -> Any:
    response = client.post(f"/{slug}/v1/embeddings", headers=AUTH,
                           json={"model": model, "input": value} | extra)
    assert response.status_code == 200, response.text
    return response.json()


def decode(encoded: str) -> list[float]:
    """What a client does with `encoding_format: base64`: little-endian float32s."""
    raw = base64.b64decode(encoded)
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


@pytest.mark.parametrize(("slug", "model", "dims"), MODELS)
def test_vectors_have_the_model_dimensions_and_unit_length(
        app: EmulatorApp, client: TestClient, slug: str, model: str, dims: int) -> None:
    texts = ["The quick brown fox", "熊猫喜欢吃竹子"]
    body = embed(client, slug, model, texts)
    assert app.state.schemas.violation(slug, "openai.embeddings", body, part="response") \
        is None
    assert body["object"] == "list" and body["model"] == model
    assert [item["index"] for item in body["data"]] == [0, 1]
    for item in body["data"]:
        assert item["object"] == "embedding" and len(item["embedding"]) == dims
        assert math.fsum(x * x for x in item["embedding"]) == pytest.approx(1.0, abs=1e-5)
    tokens = sum(count_tokens(t) for t in texts)
    assert body["usage"] == {"prompt_tokens": tokens, "total_tokens": tokens}


@pytest.mark.parametrize(("slug", "model", "dims"), MODELS[::2])
def test_base64_decodes_to_the_float_vectors(client: TestClient, slug: str, model: str,
                                             dims: int) -> None:
    texts = ["retrieval augmented generation", "向量数据库"]
    floats = embed(client, slug, model, texts, encoding_format="float")
    encoded = embed(client, slug, model, texts, encoding_format="base64")
    for as_float, as_b64 in zip(floats["data"], encoded["data"], strict=True):
        assert isinstance(as_b64["embedding"], str)
        assert decode(as_b64["embedding"]) == as_float["embedding"]
    assert encoded["usage"] == floats["usage"]


def test_input_forms_and_determinism(client: TestClient) -> None:
    model = "text-embedding-3-small"
    single = embed(client, "qhaigc", model, "hello world")["data"]
    batch = embed(client, "qhaigc", model, ["other text", "hello world"])["data"]
    assert len(single) == 1 and batch[1]["embedding"] == single[0]["embedding"]
    tokens = embed(client, "qhaigc", model, [15339, 1917])
    assert len(tokens["data"]) == 1 and tokens["usage"]["prompt_tokens"] == 2
    nested = embed(client, "qhaigc", model, [[15339, 1917], [15339]])
    assert len(nested["data"]) == 2 and nested["usage"]["prompt_tokens"] == 3
    assert nested["data"][0]["embedding"] == tokens["data"][0]["embedding"]
    # The same text embeds the same way in every request, on every provider serving
    # the model.
    again = embed(client, "apiyi", model, ["hello world"])["data"]
    assert again[0]["embedding"] == single[0]["embedding"]


def test_ada_002_refuses_dimensions_in_openais_words(client: TestClient) -> None:
    """text-embedding-ada-002 takes no `dimensions`, not even its own 1536: OpenAI's 400."""
    for dimensions in (256, 1536):
        response = client.post("/apiyi/v1/embeddings", headers=AUTH, json={
            "model": "text-embedding-ada-002", "input": "x", "dimensions": dimensions})
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["message"] == "This model does not support specifying dimensions."
        assert error["type"] == "invalid_request_error"
        assert error["param"] is None


def test_dimensions_shortens_like_text_embedding_3(client: TestClient) -> None:
    model = "text-embedding-3-large"
    full = embed(client, "qhaigc", model, "shorten me")["data"][0]["embedding"]
    short = embed(client, "qhaigc", model, "shorten me", dimensions=256)["data"][0]["embedding"]
    assert len(short) == 256
    norm = math.sqrt(math.fsum(x * x for x in full[:256]))
    assert short == pytest.approx([x / norm for x in full[:256]], abs=1e-6)
    too_many = client.post("/qhaigc/v1/embeddings", headers=AUTH, json={
        "model": model, "input": "x", "dimensions": 4096})
    assert too_many.status_code == 400
    assert too_many.json()["error"]["param"] == "dimensions"


@pytest.mark.parametrize(("slug", "value"), [
    ("apiyi", []), ("xiaoai", []), ("ruijing", [[]]), ("qhaigc", [1, "mixed"])])
def test_empty_or_mixed_input_is_a_provider_400(client: TestClient, slug: str,
                                                value: Any) -> None:
    model = next(m for s, m, _ in MODELS if s == slug)
    response = client.post(f"/{slug}/v1/embeddings", headers=AUTH,
                           json={"model": model, "input": value})
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_chat_model_is_refused(client: TestClient) -> None:
    response = client.post("/ruijing/v1/embeddings", headers=AUTH,
                           json={"model": "ruijing-gpt-2.0", "input": "x"})
    assert response.status_code == 400
    assert "model" in response.json()["error"]["message"]


# -- the retrieval property --------------------------------------------------------------

WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9).filter(
    lambda w: w not in STOPWORDS)


@st.composite
def triples(draw: st.DrawFn) -> tuple[str, str, str]:
    """(anchor, a text sharing at least one word with it, a text sharing none)."""
    shared = draw(st.lists(WORDS, min_size=1, max_size=3, unique=True))
    own = draw(st.lists(WORDS.filter(lambda w: w not in shared), max_size=4, unique=True))
    used = set(shared) | set(own)
    other = draw(st.lists(WORDS.filter(lambda w: w not in used), max_size=4))
    unrelated = draw(st.lists(WORDS.filter(lambda w: w not in used), min_size=1,
                              max_size=6))
    anchor = draw(st.permutations(shared + own))
    near = draw(st.permutations(shared + other))
    return " ".join(anchor), " ".join(near).title(), " ".join(unrelated)


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.filter_too_much])
@given(triples(), st.sampled_from(MODELS))
def test_texts_sharing_words_are_closer(triple: tuple[str, str, str],
                                        model: tuple[str, str, int]) -> None:
    _slug, space, dims = model
    a, b, c = (embed_text(t, space, dims) for t in triple)
    assert cosine(a, b) > cosine(a, c)
    assert cosine(a, b) > 0.1  # clearly related, not merely less unrelated


def test_similarity_holds_over_http(client: TestClient) -> None:
    docs = ["How do I reset my password?", "Resetting a forgotten password",
            "Best pizza recipes in Naples"]
    vectors = [d["embedding"] for d in embed(client, "xiaoai", "xiaoai-embed-v1",
                                             docs)["data"]]
    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2])


def test_the_seed_changes_the_vectors_but_not_their_geometry() -> None:
    """`--seed` changes every answer, vectors too; under any one seed texts that share
    words stay closer than texts that share none."""
    texts = ["the red apple", "a red apple pie", "quantum field theory"]
    vectors = []
    for seed in (1, 2):
        with TestClient(create_app(Config(seed=seed))) as other:
            data = embed(other, "apiyi", "text-embedding-ada-002", texts)["data"]
        vectors.append([d["embedding"] for d in data])
    assert vectors[0][0] != vectors[1][0]
    for near, query, far in [(v[1], v[0], v[2]) for v in vectors]:
        assert cosine(query, near) > cosine(query, far) + 0.2

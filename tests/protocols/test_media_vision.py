"""ruijing POST /v1/vision/analyze."""

from __future__ import annotations

import base64

import pytest
from starlette.testclient import TestClient

from emulator.generate.images import encode_png
from tests.conftest import AUTH

ALL = ["objects", "labels", "text", "faces", "colors"]


def _analyze(client: TestClient, image: str, features: list[str]) -> object:
    return client.post("/ruijing/v1/vision/analyze", headers=AUTH,
                       json={"model": "ruijing-vision", "image": image, "features": features})


def test_one_section_per_requested_feature(client: TestClient) -> None:
    body = _analyze(client, "https://example.com/image.jpg", ALL).json()
    assert list(body["results"]) == ALL
    assert body["object"] == "vision.analysis"
    assert body["image"] == {"source": "url", "url": "https://example.com/image.jpg"}
    assert all("bbox" in o and 0 < o["confidence"] <= 1 for o in body["results"]["objects"])
    assert body["results"]["text"]["text"]
    only = _analyze(client, "https://example.com/image.jpg", ["labels"]).json()
    assert list(only["results"]) == ["labels"]
    # A section depends on the image, not on which other features were asked for.
    assert only["results"]["labels"] == body["results"]["labels"]


def test_results_follow_the_image(client: TestClient) -> None:
    one = _analyze(client, "https://example.com/a.jpg", ["objects"]).json()["results"]
    again = _analyze(client, "https://example.com/a.jpg", ["objects"]).json()["results"]
    other = _analyze(client, "https://example.com/b.jpg", ["objects"]).json()["results"]
    assert one == again
    assert one != other


@pytest.mark.parametrize("prefix", ["", "data:image/png;base64,"])
def test_base64_png_is_read(client: TestClient, prefix: str) -> None:
    encoded = base64.b64encode(encode_png(64, 32, b"\x10\x20\x30")).decode()
    body = _analyze(client, prefix + encoded, ["colors"]).json()
    assert body["image"] == {"source": "base64", "format": "png", "bytes": len(
        base64.b64decode(encoded)), "width": 64, "height": 32}
    assert len(body["results"]["colors"]["dominant"]) == 4


@pytest.mark.parametrize(("image", "features", "param"), [
    ("not an image", ["objects"], "image"),
    (base64.b64encode(b"plain text, not an image").decode(), ["objects"], "image"),
    ("https://example.com/a.jpg", ["smell"], "features[0]"),
    ("https://example.com/a.jpg", [], "features"),
])
def test_bad_image_or_feature_is_400(client: TestClient, image: str, features: list[str],
                                     param: str) -> None:
    response = _analyze(client, image, features)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert param.split("[")[0] in response.json()["error"]["message"]

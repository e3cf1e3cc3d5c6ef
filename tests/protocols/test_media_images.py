"""Image generation (apiyi, qhaigc, aimodels) and the files its URLs serve."""

from __future__ import annotations

import base64
import time
from urllib.parse import urlsplit

from starlette.testclient import TestClient

from emulator.generate.images import encode_png
from tests.conftest import AUTH
from tests.protocols.media_helpers import png_size


def _path(url: str) -> str:
    return urlsplit(url).path


def test_apiyi_url_serves_png_of_stated_size_without_a_key(client: TestClient) -> None:
    response = client.post("/apiyi/v1/images/generations", headers=AUTH, json={
        "model": "gpt-image-1", "prompt": "an orange cat", "size": "1792x1024",
        "quality": "hd", "style": "natural", "n": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["created"] == 1705314600
    assert len(body["data"]) == 2
    urls = [item["url"] for item in body["data"]]
    assert urls[0] != urls[1]
    assert body["data"][0]["revised_prompt"].startswith("an orange cat")
    image = client.get(_path(urls[0]))  # no Authorization header: a CDN-style link
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert png_size(image.content) == (1792, 1024)
    assert client.get(_path(urls[0])).content == image.content


def test_same_prompt_same_image_different_prompt_different_image(client: TestClient) -> None:
    def first_url(prompt: str) -> str:
        return client.post("/apiyi/v1/images/generations", headers=AUTH, json={
            "model": "gpt-image-1", "prompt": prompt}).json()["data"][0]["url"]

    assert first_url("a dog") == first_url("a dog")
    assert first_url("a dog") != first_url("a cat")


def test_b64_json_decodes_to_the_same_kind_of_png(client: TestClient) -> None:
    response = client.post("/qhaigc/v1/images/generations", headers=AUTH, json={
        "model": "dall-e-3", "prompt": "sea", "size": "1024x1792",
        "response_format": "b64_json"})
    item = response.json()["data"][0]
    assert "url" not in item
    assert png_size(base64.b64decode(item["b64_json"])) == (1024, 1792)


def test_undocumented_values_are_400_naming_the_field(client: TestClient) -> None:
    for field, value in (("size", "512x512"), ("quality", "ultra"), ("style", "anime")):
        response = client.post("/apiyi/v1/images/generations", headers=AUTH, json={
            "model": "gpt-image-1", "prompt": "x", field: value})
        assert response.status_code == 400, field
        assert response.json()["error"]["param"] == field


def test_chat_model_on_the_image_route_is_400(client: TestClient) -> None:
    response = client.post("/apiyi/v1/images/generations", headers=AUTH,
                           json={"model": "gpt-4o", "prompt": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "model"


def test_aimodels_envelope_sizes_and_usage(client: TestClient) -> None:
    response = client.post("/aimodels/v1/images/generations", headers=AUTH, json={
        "model": "seeddream-4.0", "prompt": "sunset", "n": 2, "size": "512x512",
        "style": "anime"})
    assert response.status_code == 200
    envelope = response.json()
    assert envelope["success"] is True
    data = envelope["data"]
    assert data["usage"] == {"images": 2, "cost": 0.0004}
    for image in data["images"]:
        assert (image["width"], image["height"]) == (512, 512)
        served = client.get(_path(image["url"]))
        assert png_size(served.content) == (512, 512)


def test_aimodels_rejects_more_than_four_images(client: TestClient) -> None:
    response = client.post("/aimodels/v1/images/generations", headers=AUTH, json={
        "model": "seeddream-4.0", "prompt": "x", "n": 5})
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_unknown_media_name_is_404(client: TestClient) -> None:
    assert client.get("/apiyi/v1/media/img-0123456789abcdef-9999x1.png").status_code == 404
    assert client.get("/apiyi/v1/media/whatever.png").status_code == 404


def test_large_png_encodes_fast() -> None:
    started = time.perf_counter()
    data = encode_png(2048, 2048, bytes(range(24)))
    assert time.perf_counter() - started < 0.25  # ~25 ms here; generous for slow CI
    assert png_size(data) == (2048, 2048)

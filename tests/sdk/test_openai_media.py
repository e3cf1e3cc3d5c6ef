"""The official openai SDK (and raw httpx for aimodels) against a real server: images,
transcriptions, speech and the Sora job lifecycle, checking the files themselves."""

from __future__ import annotations

import base64
import io
import wave

import httpx
import pytest
from openai import BadRequestError, NotFoundError, OpenAI

from emulator import EmulatorServer
from emulator.generate.video import mp4_info
from tests.conftest import AUTH, KEY
from tests.protocols.media_helpers import png_size, wav_bytes, wav_seconds


def _client(server: EmulatorServer, slug: str) -> OpenAI:
    return OpenAI(base_url=server.base_url(slug), api_key=KEY, max_retries=0)


def test_images_url_and_b64_json(server: EmulatorServer) -> None:
    client = _client(server, "apiyi")
    result = client.images.generate(model="gpt-image-1", prompt="a lighthouse",
                                    size="1024x1792", quality="hd", style="vivid")
    assert result.data and result.data[0].url
    assert result.data[0].url.startswith(server.base_url("apiyi"))
    downloaded = httpx.get(result.data[0].url)  # no key, as a browser would
    assert downloaded.status_code == 200
    assert png_size(downloaded.content) == (1024, 1792)
    inline = client.images.generate(model="gpt-image-1", prompt="a lighthouse",
                                    size="1024x1024", response_format="b64_json")
    assert inline.data and inline.data[0].b64_json
    assert png_size(base64.b64decode(inline.data[0].b64_json)) == (1024, 1024)


# Image tokens at high quality: 4160 for a square 1024 image, in proportion to the area
# (OpenAI's 6240 for 1024x1536); apiyi documents only dall-e's sizes and qualities (its
# hd is high).
@pytest.mark.parametrize(("slug", "size", "quality", "tokens"), [
    ("apiyi", "1024x1792", "hd", 7280), ("qhaigc", "1024x1536", "high", 6240)])
def test_streamed_image_sends_partials_then_the_final_image(
        server: EmulatorServer, slug: str, size: str, quality: str, tokens: int) -> None:
    client = _client(server, slug)
    width, height = map(int, size.split("x"))

    def events() -> list[object]:
        return list(client.images.generate(model="gpt-image-1", prompt="a lighthouse",
                                           size=size, quality=quality, n=2,  # type: ignore[arg-type]
                                           stream=True, partial_images=2))

    first = events()
    assert [(e.type, getattr(e, "partial_image_index", None)) for e in first] == [
        ("image_generation.partial_image", 0), ("image_generation.partial_image", 1),
        ("image_generation.completed", None)] * 2
    images = [base64.b64decode(e.b64_json) for e in first]  # type: ignore[attr-defined]
    assert {png_size(image) for image in images} == {(width, height)}
    assert len(set(images)) == len(images)  # each partial and final image its own
    done = first[2]
    assert (done.size, done.quality, done.output_format) == (  # type: ignore[attr-defined]
        size, "high", "png")
    usage = done.usage  # type: ignore[attr-defined]
    assert usage.output_tokens == tokens + 2 * 100  # and 100 for each partial image
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert [e.model_dump() for e in events()] == [e.model_dump() for e in first]
    plain = client.images.generate(model="gpt-image-1", prompt="a lighthouse",
                                   size=size, quality=quality, n=2)  # type: ignore[arg-type]
    # The streamed final images are the ones the same request gets unstreamed.
    assert [httpx.get(d.url or "").content for d in plain.data or []] == \
        [images[2], images[5]]


def test_streaming_a_dall_e_image_is_a_bad_request(server: EmulatorServer) -> None:
    with pytest.raises(BadRequestError) as caught:
        list(_client(server, "qhaigc").images.generate(model="dall-e-3", prompt="a fox",
                                                       stream=True))
    assert caught.value.param == "stream"  # type: ignore[attr-defined]


def test_image_size_outside_the_doc_raises_bad_request(server: EmulatorServer) -> None:
    from openai import BadRequestError

    with pytest.raises(BadRequestError) as raised:
        _client(server, "apiyi").images.generate(model="gpt-image-1", prompt="x",
                                                 size="256x256")
    assert raised.value.body["param"] == "size"  # type: ignore[index]


def test_transcriptions_json_text_and_verbose(server: EmulatorServer) -> None:
    client = _client(server, "apiyi")
    audio = wav_bytes(6.5)
    as_json = client.audio.transcriptions.create(model="whisper-1",
                                                 file=("speech.wav", audio, "audio/wav"))
    as_text = client.audio.transcriptions.create(model="whisper-1", response_format="text",
                                                 file=("speech.wav", audio, "audio/wav"))
    assert isinstance(as_text, str)
    assert as_text.strip() == as_json.text
    verbose = client.audio.transcriptions.create(
        model="whisper-1", response_format="verbose_json", language="en",
        file=("speech.wav", audio, "audio/wav"), timestamp_granularities=["segment"])
    assert verbose.duration == pytest.approx(6.5)
    assert verbose.segments
    assert verbose.segments[-1].end == pytest.approx(wav_seconds(audio), abs=0.001)
    assert verbose.text == as_json.text


def test_ruijing_transcription_rejects_fake_wav(server: EmulatorServer) -> None:
    from openai import BadRequestError

    with pytest.raises(BadRequestError):
        _client(server, "ruijing").audio.transcriptions.create(
            model="ruijing-whisper", file=("speech.wav", b"not audio" * 10, "audio/wav"))


def test_speech_wav_duration_grows_with_the_text(server: EmulatorServer) -> None:
    client = _client(server, "ruijing")

    def duration(text: str) -> float:
        response = client.audio.speech.create(model="ruijing-tts", voice="alloy",
                                              input=text, response_format="wav")
        with wave.open(io.BytesIO(response.content)) as reader:
            assert reader.getnchannels() == 1 and reader.getsampwidth() == 2
            return reader.getnframes() / reader.getframerate()

    short, long = duration("Hello."), duration("Hello, this is a much longer sentence. " * 5)
    assert 0 < short < long
    assert long > 5


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK's, on videos
def test_sora_video_job_end_to_end(server: EmulatorServer) -> None:
    client = _client(server, "qhaigc")
    video = client.videos.create(model="sora-2", prompt="waves at dusk", seconds="4",
                                 size="720x1280")
    assert video.status == "queued"
    server.state.clock.advance(5)
    assert client.videos.retrieve(video.id).status == "in_progress"
    server.state.clock.advance(10)
    finished = client.videos.retrieve(video.id)
    assert finished.status == "completed" and finished.progress == 100
    content = client.videos.download_content(video.id)
    thumbnail = client.videos.download_content(video.id, variant="thumbnail")
    sprites = client.videos.download_content(video.id, variant="spritesheet")
    with pytest.raises(BadRequestError) as refused:
        client.videos.download_content(video.id, variant="poster")  # type: ignore[arg-type]
    assert mp4_info(content.content) == (4.0, 720, 1280)
    # Previews are images: the frame's size, and one quarter-size frame a second.
    assert thumbnail.response.headers["content-type"] == "image/png"
    assert png_size(thumbnail.content) == (720, 1280)
    assert png_size(sprites.content) == (4 * 180, 320)
    assert refused.value.status_code == 400 and refused.value.param == "variant"
    body: dict[str, str] = refused.value.body  # type: ignore[assignment]
    assert body["message"] == ("Invalid value: 'poster'. Supported values are: 'video', "
                               "'thumbnail', and 'spritesheet'.")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK's, on videos
def test_sora_videos_list_in_cursor_pages_and_delete(server: EmulatorServer) -> None:
    client = _client(server, "qhaigc")
    made = [client.videos.create(model="sora-2", prompt=f"clip {i}").id for i in range(3)]
    first = client.videos.list(limit=2)
    assert [v.id for v in first.data] == made[:0:-1] and first.has_more  # newest first
    assert [v.id for v in client.videos.list(limit=2)] == made[::-1]  # every page
    assert [v.id for v in client.videos.list(order="asc")] == made
    gone = client.videos.delete(made[1])
    assert (gone.id, gone.deleted, gone.object) == (made[1], True, "video.deleted")
    assert [v.id for v in client.videos.list()] == [made[2], made[0]]
    with pytest.raises(NotFoundError):
        client.videos.retrieve(made[1])
    with pytest.raises(NotFoundError):
        client.videos.delete(made[1])
    with pytest.raises(BadRequestError):
        client.videos.list(order="sideways")  # type: ignore[arg-type]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK's, on videos
def test_sora_remix_starts_a_new_job_from_a_completed_video(server: EmulatorServer) -> None:
    client = _client(server, "qhaigc")
    video = client.videos.create(model="sora-2", prompt="waves at dusk", seconds="8",
                                 size="1280x720")
    with pytest.raises(BadRequestError) as early:  # not completed yet
        client.videos.remix(video.id, prompt="waves at dawn")
    server.state.clock.advance(30)
    remix = client.videos.remix(video.id, prompt="waves at dawn")
    assert (remix.status, remix.progress, remix.remixed_from_video_id) == \
        ("queued", 0, video.id)
    assert remix.id != video.id and remix.prompt == "waves at dawn"
    assert (remix.model, remix.seconds, remix.size) == ("sora-2", "8", "1280x720")
    assert client.videos.retrieve(remix.id).remixed_from_video_id == video.id
    assert client.videos.retrieve(video.id).remixed_from_video_id is None
    server.state.clock.advance(30)
    content = client.videos.download_content(remix.id)
    with pytest.raises(NotFoundError):
        client.videos.remix("video_unknown", prompt="x")
    with pytest.raises(BadRequestError) as empty:
        client.videos.remix(video.id, prompt="")
    assert early.value.status_code == 400 and early.value.param == "video_id"
    assert early.value.body["message"] == (  # type: ignore[index]
        f"Video '{video.id}' is queued: only a completed video can be remixed.")
    assert mp4_info(content.content) == (8.0, 1280, 720)
    assert empty.value.param == "prompt"


def test_aimodels_images_over_raw_http(server: EmulatorServer) -> None:
    response = httpx.post(server.base_url("aimodels") + "/images/generations", headers=AUTH,
                          json={"model": "seeddream-4.0", "prompt": "sunset",
                                "size": "2048x2048"})
    assert response.status_code == 200
    image = response.json()["data"]["images"][0]
    assert png_size(httpx.get(image["url"]).content) == (2048, 2048)

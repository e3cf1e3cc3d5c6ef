"""qhaigc's asynchronous media jobs (jobs.py keeps the submissions and the timeline).

Sora video, the OpenAI Videos API: `POST /videos` creates a `video` object, `GET
/videos/{id}` polls it, `GET /videos` lists them (cursor pages: `after`, `limit`,
`order`), `DELETE /videos/{id}` removes one, `GET /videos/{id}/content` downloads the MP4
once completed, or with `?variant=thumbnail` / `spritesheet` a preview image of it (PNG
here; OpenAI's are WebP and JPEG, which no client tells apart by more than the name), and
`POST /videos/{id}/remix` starts a new job from a completed video and a new prompt (the
source's model, size and length; `remixed_from_video_id` names the source).

Music, the Suno task API that Chinese gateways relay (new-api's `/suno/submit/music` and
`/suno/fetch/{task_id}`; inferred, qhaigc only names "music generation"): submit answers
`{"code": "success", "data": "<task id>"}`, fetch answers the task with its clips.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..errors import InvalidRequest, NotFound
from ..generate.images import encode_png
from ..generate.video import mp4_clip
from ..jobs import FAIL_MARKER, QUEUE_SECONDS, Job, JobStore
from .base import BinaryReply, Call, JSONReply
from .media_files import audio_name, digest_hex, image_name, media_url
from .paging import cursor_page, list_object

VIDEO_RENDER_SECONDS_PER_CLIP_SECOND = 2.5
MUSIC_RENDER_SECONDS = 20.0
ASSET_LIFETIME = 24 * 3600  # `expires_at`: downloads stay available a day


def _store(call: Call) -> JobStore:
    assert call.jobs is not None, "job routes need the job store"
    return call.jobs


def _hex_id(call: Call, salt: str) -> str:
    return f"{call.seed.rng(salt).getrandbits(128):032x}"


def video_object(job: Job, now: float) -> dict[str, Any]:
    status = job.status(now)
    done = status in ("completed", "failed")
    return {
        "id": job.id, "object": "video", "created_at": int(job.created_at),
        "status": status, "model": job.params["model"], "progress": job.progress(now),
        "seconds": job.params["seconds"], "size": job.params["size"],
        "prompt": job.params["prompt"],
        "remixed_from_video_id": job.params.get("remixed_from"),
        "completed_at": int(job.finished_at()) if done else None,
        "expires_at": int(job.finished_at()) + ASSET_LIFETIME if status == "completed"
        else None,
        "error": {"code": "video_generation_failed",
                  "message": "The video could not be generated."}
        if status == "failed" else None,
    }


def handle_videos_create(call: Call) -> JSONReply:
    body: dict[str, Any] = call.body
    job = _new_video(call, {"model": body.get("model") or "sora-2",
                            "seconds": str(body.get("seconds") or "4"),
                            "size": body.get("size") or "720x1280",
                            "prompt": str(body["prompt"])})
    return JSONReply(video_object(job, call.now))


def handle_videos_remix(call: Call) -> JSONReply:
    """A new job from a completed video: its model, size and length, a new prompt."""
    source = _video_job(call)
    status = source.status(call.now)
    if status != "completed":
        raise InvalidRequest(f"Video '{source.id}' is {status}: only a completed video can "
                             "be remixed.", param="video_id")
    job = _new_video(call, {**source.params, "prompt": str(call.body["prompt"]),
                            "remixed_from": source.id})
    return JSONReply(video_object(job, call.now))


def _new_video(call: Call, params: dict[str, Any]) -> Job:
    store = _store(call)
    return store.add(Job(
        id="video_" + _hex_id(call, f"video:{store.submitted}"), kind="video",
        created_at=call.now,
        render_seconds=VIDEO_RENDER_SECONDS_PER_CLIP_SECOND * int(params["seconds"]),
        params=params, fails=FAIL_MARKER in params["prompt"]))


def _video_job(call: Call) -> Job:
    video_id = call.path_params.get("video_id", "")
    job = _store(call).get(video_id, "video")
    if job is None:
        raise NotFound(f"Video with id '{video_id}' not found.", param="video_id")
    return job


def handle_videos_retrieve(call: Call) -> JSONReply:
    return JSONReply(video_object(_video_job(call), call.now))


def handle_videos_list(call: Call) -> JSONReply:
    """A cursor page of the videos, newest first unless `order=asc`."""
    videos = _store(call).of_kind("video")
    page, has_more = cursor_page(
        videos, [job.id for job in videos], call.query_params,
        lambda after: NotFound(f"Video with id '{after}' not found.", param="after"))
    return JSONReply(list_object([video_object(job, call.now) for job in page], has_more))


def handle_videos_delete(call: Call) -> JSONReply:
    job = _video_job(call)
    _store(call).remove(job.id)
    return JSONReply({"id": job.id, "object": "video.deleted", "deleted": True})


VIDEO_VARIANTS = ("video", "thumbnail", "spritesheet")
# A spritesheet: one frame a second, each a quarter of the video's size, five to a row.
SPRITE_SCALE = 4
SPRITES_PER_ROW = 5


def handle_videos_content(call: Call) -> BinaryReply:
    variant = call.query_params.get("variant", "video")
    if variant not in VIDEO_VARIANTS:
        raise InvalidRequest(f"Invalid value: '{variant[:64]}'. Supported values are: "
                             "'video', 'thumbnail', and 'spritesheet'.", param="variant",
                             code="invalid_value")
    job = _video_job(call)
    status = job.status(call.now)
    if status != "completed":
        raise InvalidRequest(f"Video '{job.id}' is {status}: its content is available once "
                             "the job has completed.", param="video_id")
    seconds = int(job.params["seconds"])
    if variant == "video":
        return BinaryReply(mp4_clip(job.params["size"], seconds), "video/mp4")
    width, height = (int(side) for side in job.params["size"].split("x"))
    digest = hashlib.blake2b(job.id.encode(), digest_size=16).digest()
    if variant == "thumbnail":
        return BinaryReply(encode_png(width, height, digest), "image/png")
    frames = max(1, seconds)
    width, height = max(1, width // SPRITE_SCALE), max(1, height // SPRITE_SCALE)
    columns = min(frames, SPRITES_PER_ROW)
    rows = -(-frames // SPRITES_PER_ROW)
    return BinaryReply(encode_png(width * columns, height * rows, digest, bands=rows * 4),
                       "image/png")


# -- Suno-style music ------------------------------------------------------------------

SUNO_STATUS = {"queued": "SUBMITTED", "in_progress": "IN_PROGRESS", "completed": "SUCCESS",
               "failed": "FAILURE"}


def handle_music_submit(call: Call) -> JSONReply:
    body: dict[str, Any] = call.body
    store = _store(call)
    text = " ".join(str(body.get(k) or "") for k in ("prompt", "gpt_description_prompt",
                                                     "title", "tags"))
    rng = call.seed.rng(f"music:{store.submitted}")
    task_id = "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}".format(
        *(rng.getrandbits(bits) for bits in (32, 16, 16, 16, 48)))
    clips = [{"id": f"{rng.getrandbits(64):016x}", "seconds": rng.randint(30, 90)}
             for _ in range(2)]  # Suno answers every prompt with two clips
    store.add(Job(id=task_id, kind="music", created_at=call.now,
                  render_seconds=MUSIC_RENDER_SECONDS,
                  params={"model": body.get("mv") or "chirp-v4", "title": body.get("title")
                          or "Untitled", "tags": body.get("tags") or "",
                          "prompt": body.get("prompt") or body.get("gpt_description_prompt")
                          or "", "clips": clips, "digest": digest_hex(call, "music")},
                  fails=FAIL_MARKER in text))
    return JSONReply({"code": "success", "message": "", "data": task_id})


def _clip(call: Call, job: Job, clip: dict[str, Any], ready: bool) -> dict[str, Any]:
    digest = f"{int(clip['id'], 16) ^ int(job.params['digest'], 16):016x}"
    return {
        "id": clip["id"], "title": job.params["title"], "tags": job.params["tags"],
        "prompt": job.params["prompt"], "model_name": job.params["model"],
        "status": "complete" if ready else "streaming",
        "duration": clip["seconds"] if ready else None,
        "audio_url": media_url(call, audio_name(digest, clip["seconds"], "mp3"))
        if ready else "",
        "image_url": media_url(call, image_name(digest, 512, 512)) if ready else "",
        "created_at": int(job.created_at),
    }


def handle_music_fetch(call: Call) -> JSONReply:
    task_id = call.path_params.get("task_id", "")
    job = _store(call).get(task_id, "music")
    if job is None:
        raise NotFound(f"Task '{task_id}' not found.", param="task_id")
    status = job.status(call.now)
    done = status in ("completed", "failed")
    clips = [] if status in ("queued", "failed") else \
        [_clip(call, job, clip, status == "completed") for clip in job.params["clips"]]
    return JSONReply({"code": "success", "message": "", "data": {
        "task_id": job.id, "action": "MUSIC", "status": SUNO_STATUS[status],
        "fail_reason": "generation failed" if status == "failed" else "",
        "submit_time": int(job.created_at),
        "start_time": int(job.created_at + QUEUE_SECONDS) if status != "queued" else 0,
        "finish_time": int(job.finished_at()) if done else 0,
        "progress": f"{job.progress(call.now)}%",
        "data": clips,
    }})

"""OpenAI audio: `POST /audio/speech` (a real file whose length follows the input text) and
`POST /audio/transcriptions` / `/audio/translations` (multipart; the transcript is drawn
from the uploaded bytes, its timings from the file's real duration when it is a WAV)."""

from __future__ import annotations

import hashlib
import random
from typing import Any

from ..errors import InvalidRequest
from ..generate.audio import MIME_TYPES, encode_audio, sniff_media, wav_duration
from ..generate.text import generate_text
from ..generate.tokens import split_tokens
from ..policy.multipart import UploadedFile
from .base import BinaryReply, Call, JSONReply, Reply

# Which containers a file's magic bytes may show for each accepted extension.
EXTENSION_CONTAINERS = {
    "mp3": {"mp3"}, "mpga": {"mp3"}, "mpeg": {"mp3", "mp4", "mpeg"}, "mp4": {"mp4"},
    "m4a": {"mp4"},
    "wav": {"wav"}, "webm": {"webm"}, "ogg": {"ogg"}, "oga": {"ogg"}, "flac": {"flac"},
}
LANGUAGES = {"en": "english", "zh": "chinese", "ja": "japanese", "ko": "korean",
             "fr": "french", "de": "german", "es": "spanish", "ru": "russian"}
ASSUMED_BITRATE = 16_000  # bytes/s (128 kbit/s) for compressed uploads we do not parse
TEXT_FORMATS = {"text", "srt", "vtt"}


def speech_seconds(text: str, speed: float) -> float:
    """About 15 Latin characters or 4 CJK characters a second, plus a breath."""
    cjk = sum(1 for ch in text if "\u3000" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af")
    return round((0.3 + (len(text) - cjk) / 15 + cjk / 4) / max(speed, 0.25), 3)


def handle_speech(call: Call) -> BinaryReply:
    body: dict[str, Any] = call.body
    fmt = body.get("response_format") or "mp3"
    seconds = speech_seconds(str(body.get("input", "")), float(body.get("speed") or 1.0))
    return BinaryReply(encode_audio(fmt, seconds), MIME_TYPES[fmt])


def upload_seconds(upload: UploadedFile, formats: tuple[str, ...]) -> float:
    """The audio's length: exact for WAV, from an assumed bitrate otherwise. `formats`:
    the extensions the provider accepts."""
    extension = upload.extension
    containers = EXTENSION_CONTAINERS.get(extension) if extension in formats else None
    sniffed = sniff_media(upload.data)
    if not upload.data:
        raise InvalidRequest("The audio file is empty.", param="file")
    if containers is None or sniffed not in containers:
        found = f"looks like {sniffed}" if sniffed else "is not a recognised audio file"
        raise InvalidRequest(
            f"Invalid file format: '{upload.filename}' {found}. Supported formats: "
            f"{list(formats)}, with contents matching the extension.",
            param="file")
    if sniffed == "wav":
        seconds = wav_duration(upload.data)
        if seconds is None:
            raise InvalidRequest("The WAV file could not be decoded (no fmt/data chunk).",
                                 param="file")
        return seconds
    return max(len(upload.data) / ASSUMED_BITRATE, 0.1)


def _segments(tokens: list[str], seconds: float) -> list[dict[str, Any]]:
    """Consecutive slices of the transcript covering [0, seconds] in proportion to their
    token counts, the last ending exactly at the file's duration."""
    per_segment = 12
    chunks = [tokens[i:i + per_segment] for i in range(0, len(tokens), per_segment)] or [[]]
    segments, start = [], 0.0
    for index, chunk in enumerate(chunks):
        done = min(len(tokens), (index + 1) * per_segment)
        end = seconds if index == len(chunks) - 1 else seconds * done / len(tokens)
        segments.append({
            "id": index, "seek": int(start * 100), "start": round(start, 2),
            "end": round(end, 3) if index == len(chunks) - 1 else round(end, 2),
            "text": "".join(chunk), "tokens": [50364 + len(t) for t in chunk],
            "temperature": 0.0, "avg_logprob": -0.25, "compression_ratio": 1.2,
            "no_speech_prob": 0.01,
        })
        start = end
    return segments


def _timestamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}{separator}{rest % 1000:03d}"


def _subtitles(segments: list[dict[str, Any]], vtt: bool) -> str:
    lines = ["WEBVTT", ""] if vtt else []
    for segment in segments:
        if not vtt:
            lines.append(str(segment["id"] + 1))
        sep = "." if vtt else ","
        lines += [f"{_timestamp(segment['start'], sep)} --> {_timestamp(segment['end'], sep)}",
                  segment["text"].strip(), ""]
    return "\n".join(lines) + "\n"


def _transcribe(call: Call, task: str) -> Reply:
    body: dict[str, Any] = call.body
    upload = body["file"]
    seconds = upload_seconds(upload, call.profile.audio_formats)
    code = str(body.get("language") or "en").lower() if task == "transcribe" else "en"
    # Same bytes, same words: whatever the file name, model or provider.
    rng = random.Random(hashlib.blake2b(upload.data, digest_size=16).digest())
    text = generate_text(rng, code == "zh", max(3, round(seconds * 3))).strip()
    tokens = split_tokens(text)
    segments = _segments(tokens, seconds)
    fmt = body.get("response_format") or "json"
    if fmt in TEXT_FORMATS:
        rendered = text + "\n" if fmt == "text" else _subtitles(segments, fmt == "vtt")
        media_type = "text/vtt" if fmt == "vtt" else "text/plain"
        return BinaryReply(rendered.encode(), f"{media_type}; charset=utf-8")
    if fmt == "json":
        return JSONReply({"text": text, "usage": {"type": "duration",
                                                  "seconds": max(1, round(seconds))}})
    payload: dict[str, Any] = {"task": task, "language": LANGUAGES.get(code, code),
                               "duration": round(seconds, 3), "text": text,
                               "segments": segments}
    if "word" in (body.get("timestamp_granularities") or []):
        words = [t for t in tokens if t.strip()]
        per = seconds / max(len(words), 1)
        payload["words"] = [{"word": w.strip(), "start": round(i * per, 2),
                             "end": round((i + 1) * per, 2)} for i, w in enumerate(words)]
    return JSONReply(payload)


def handle_transcriptions(call: Call) -> Reply:
    return _transcribe(call, "transcribe")


def handle_translations(call: Call) -> Reply:
    return _transcribe(call, "translate")

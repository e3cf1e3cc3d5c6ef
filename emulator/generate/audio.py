"""Real, playable audio without a codec library.

WAV and raw PCM are a sine tone written directly; FLAC and Opus are silence
(audio_containers.py). MP3 and AAC repeat one frame of a tone
encoded once at development time (fixtures/media, made with ffmpeg): the tone's period
divides the frame length and the encoder kept no bit reservoir, so every frame decodes on
its own and any whole number of frames is a valid stream of that length.
"""

from __future__ import annotations

import math
import struct
from array import array
from functools import cache

from ..resources import resource_dir
from .audio_containers import flac_silence, opus_silence

SAMPLE_RATE = 24_000  # OpenAI's `pcm` speech format: 24 kHz, 16-bit signed LE, mono
MAX_SECONDS = 600.0

MIME_TYPES = {
    "wav": "audio/wav", "pcm": "audio/pcm", "mp3": "audio/mpeg", "aac": "audio/aac",
    "flac": "audio/flac", "opus": "audio/ogg",
}
# Formats this module can produce for real.
FORMATS = tuple(MIME_TYPES)


@cache
def _period(frequency: int) -> bytes:
    """One period of a sine tone at 24 kHz (frequency divides the rate)."""
    length = SAMPLE_RATE // frequency
    samples = array("h", (int(9000 * math.sin(2 * math.pi * i / length))
                          for i in range(length)))
    if samples.itemsize != 2 or array("h", [1]).tobytes() != b"\x01\x00":
        samples.byteswap()
    return samples.tobytes()


def pcm_tone(seconds: float, frequency: int = 400) -> bytes:
    """16-bit mono little-endian samples of a tone lasting `seconds`."""
    count = round(min(max(seconds, 0.0), MAX_SECONDS) * SAMPLE_RATE)
    period = _period(frequency)
    repeats = -(-2 * count // len(period))
    return (period * repeats)[: 2 * count]


def wav_file(pcm: bytes, rate: int = SAMPLE_RATE, channels: int = 1, bits: int = 16) -> bytes:
    """A RIFF/WAVE PCM file around raw samples."""
    block = channels * bits // 8
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(pcm), b"WAVE", b"fmt ", 16,
                         1, channels, rate, rate * block, block, bits, b"data", len(pcm))
    return header + pcm


def wav_duration(data: bytes) -> float | None:
    """Seconds of audio in a RIFF/WAVE file, from its fmt and data chunks (None if the
    bytes are not a readable WAV)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    offset, byte_rate = 12, 0
    while offset + 8 <= len(data):
        kind, size = struct.unpack("<4sI", data[offset:offset + 8])
        if kind == b"fmt " and size >= 16:
            byte_rate = struct.unpack("<I", data[offset + 16:offset + 20])[0]
        elif kind == b"data":
            size = min(size, len(data) - offset - 8)  # streamed WAVs may overstate it
            return size / byte_rate if byte_rate else None
        offset += 8 + size + (size & 1)
    return None


@cache
def _mp3_frame() -> bytes:
    data = (resource_dir("fixtures") / "media" / "tone-250hz-24k.mp3").read_bytes()
    # MPEG-2 layer III, 32 kbit/s, 24 kHz, no padding: every frame is 72*32000/24000 bytes
    # and holds 576 samples (24 ms). Take one from the middle, past the encoder delay.
    size = 96
    frame = data[20 * size: 21 * size]
    assert frame[:2] == b"\xff\xf3", "unexpected MP3 fixture"
    return frame


@cache
def _aac_frame() -> bytes:
    data = (resource_dir("fixtures") / "media" / "tone-375hz-24k.aac").read_bytes()
    offset, frames = 0, []
    while offset + 7 <= len(data):
        length = ((data[offset + 3] & 3) << 11) | (data[offset + 4] << 3) | (data[offset + 5] >> 5)
        frames.append(data[offset: offset + length])
        offset += length
    frame = frames[len(frames) // 2]  # ADTS: 1024 samples (42.7 ms) per frame
    assert frame[:2] == b"\xff\xf1", "unexpected AAC fixture"
    return frame


def encode_audio(fmt: str, seconds: float) -> bytes:
    """A file of `fmt` (one of FORMATS) lasting `seconds` (to a frame)."""
    seconds = min(max(seconds, 0.05), MAX_SECONDS)
    if fmt == "wav":
        return wav_file(pcm_tone(seconds))
    if fmt == "pcm":
        return pcm_tone(seconds)
    if fmt == "mp3":
        return _mp3_frame() * max(1, round(seconds * SAMPLE_RATE / 576))
    if fmt == "aac":
        return _aac_frame() * max(1, round(seconds * SAMPLE_RATE / 1024))
    if fmt == "flac":
        return flac_silence(seconds)
    if fmt == "opus":
        return opus_silence(seconds)
    raise ValueError(f"unsupported audio format {fmt!r}")


def sniff_media(data: bytes) -> str | None:
    """The container a file's first bytes announce: wav, mp3, mp4, webm, ogg, flac, aac,
    mpeg (an MPEG program stream), or None when they match none of them."""
    head = data[:16]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:3] == b"ID3" or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2):
        return "mp3"  # an ID3 tag or an MPEG audio frame sync with layer III
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return "aac"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"):
        return "mpeg"  # a program stream's pack header, or an MPEG-1 sequence header
    return None

"""Tiny valid MP4 files of a given resolution and duration.

fixtures/media/still-<W>x<H>.mp4 hold one H.264 frame each (encoded once with ffmpeg at
development time). A clip of N seconds is that file with the frame's display time and
every duration field (mvhd, tkhd, mdhd, stts, elst) stretched to N seconds: a still image
that players show for the whole length.
"""

from __future__ import annotations

import struct
from functools import cache

from ..resources import resource_dir

RESOLUTIONS = ("1920x1080", "1080x1920", "1280x720", "720x1280", "1792x1024", "1024x1792")
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts"}
MAX_SECONDS = 600


@cache
def _still(resolution: str) -> bytes:
    if resolution not in RESOLUTIONS:
        raise ValueError(f"unsupported resolution {resolution!r}")
    return (resource_dir("fixtures") / "media" / f"still-{resolution}.mp4").read_bytes()


def _boxes(data: bytearray, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, content start, box end) of the boxes in data[start:end], recursing into
    the container boxes that hold duration fields."""
    found: list[tuple[bytes, int, int]] = []
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack(">I4s", data[offset:offset + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8:offset + 16])[0]
            header = 16
        elif size == 0:
            size = end - offset
        if size < header:
            break
        found.append((kind, offset + header, offset + size))
        if kind in CONTAINERS:
            found.extend(_boxes(data, offset + header, offset + size))
        offset += size
    return found


def _scale(data: bytearray, at: int, wide: bool, factor: int) -> None:
    fmt = ">Q" if wide else ">I"
    width = 8 if wide else 4
    value = struct.unpack(fmt, data[at:at + width])[0]
    struct.pack_into(fmt, data, at, value * factor)


def mp4_clip(resolution: str, seconds: int) -> bytes:
    """An MP4 (H.264) still clip of `resolution` lasting `seconds` (1..600)."""
    seconds = min(max(int(seconds), 1), MAX_SECONDS)
    data = bytearray(_still(resolution))  # one frame, shown for exactly 1 s
    for kind, start, _end in _boxes(data, 0, len(data)):
        wide = data[start] == 1  # full-box version 1 uses 64-bit times
        if kind in (b"mvhd", b"mdhd"):
            _scale(data, start + (4 + 16 + 4 if wide else 4 + 8 + 4), wide, seconds)
        elif kind == b"tkhd":
            _scale(data, start + (4 + 16 + 8 if wide else 4 + 8 + 8), wide, seconds)
        elif kind == b"stts":
            count = struct.unpack(">I", data[start + 4:start + 8])[0]
            for entry in range(count):
                _scale(data, start + 8 + 8 * entry + 4, False, seconds)
        elif kind == b"elst":
            count = struct.unpack(">I", data[start + 4:start + 8])[0]
            step = 20 if wide else 12
            for entry in range(count):
                _scale(data, start + 8 + step * entry, wide, seconds)
    return bytes(data)


def mp4_info(data: bytes) -> tuple[float, int, int] | None:
    """(duration seconds, width, height) of an MP4 from its mvhd and tkhd boxes."""
    buffer = bytearray(data)
    duration: float | None = None
    size: tuple[int, int] | None = None
    for kind, start, end in _boxes(buffer, 0, len(buffer)):
        wide = buffer[start] == 1
        if kind == b"mvhd":
            at = start + (4 + 16 if wide else 4 + 8)
            scale = struct.unpack(">I", buffer[at:at + 4])[0]
            value = struct.unpack(">Q" if wide else ">I",
                                  buffer[at + 4:at + (12 if wide else 8)])[0]
            duration = value / scale if scale else None
        elif kind == b"tkhd":
            width, height = struct.unpack(">II", buffer[end - 8:end])
            if width:
                size = (width >> 16, height >> 16)
    if duration is None or size is None:
        return None
    return duration, size[0], size[1]

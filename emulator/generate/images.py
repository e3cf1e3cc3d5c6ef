"""A small PNG encoder for generated images: horizontal colour bands derived from a digest.

Identical rows compress to almost nothing, and every row after a band's first uses the
PNG "Up" filter (all zero bytes), so even a 2048x2048 image encodes in a few milliseconds
without any imaging library.
"""

from __future__ import annotations

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_SIDE = 4096


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def palette(digest: bytes, count: int) -> list[tuple[int, int, int]]:
    """`count` RGB colours taken from the digest bytes (cycled when it is short)."""
    raw = (digest * (3 * count // max(len(digest), 1) + 1))[: 3 * count]
    return [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, 3 * count, 3)]


def encode_png(width: int, height: int, digest: bytes, bands: int = 8) -> bytes:
    """An RGB PNG of width x height: `bands` horizontal stripes coloured from `digest`."""
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise ValueError(f"image size {width}x{height} out of range")
    colours = palette(digest, bands)
    band_height = max(1, -(-height // bands))
    up_row = b"\x02" + bytes(3 * width)  # filter 2 (Up): the same pixels as the row above
    compressor = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    parts: list[bytes] = []
    for index in range(0, height, band_height):
        rows = min(band_height, height - index)
        colour = bytes(colours[(index // band_height) % bands])
        parts.append(compressor.compress(b"\x00" + colour * width))
        if rows > 1:
            parts.append(compressor.compress(up_row * (rows - 1)))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts))
            + _chunk(b"IEND", b""))


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR, or None when `data` is not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def parse_size(text: str) -> tuple[int, int] | None:
    """`1024x768` -> (1024, 768); None when it is not of that form."""
    width, sep, height = text.partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        return None
    return int(width), int(height)

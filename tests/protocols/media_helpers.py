"""Small readers for the media tests: what a client would check about a downloaded file."""

from __future__ import annotations

import io
import struct
import wave
import zlib


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG that really decodes, as an image viewer would read it:
    every chunk's CRC holds, IHDR comes first and IEND last, and the inflated IDAT data
    is exactly one filter byte plus the pixels of each row."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    offset, kinds, idat = 8, [], b""
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        kinds.append(kind)
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    stride = 1 + width * channels * depth // 8
    pixels = zlib.decompress(idat)
    assert len(pixels) == height * stride
    assert all(pixels[row * stride] <= 4 for row in range(height))  # valid filter types
    return width, height


def wav_bytes(seconds: float, rate: int = 16_000) -> bytes:
    """A silent mono 16-bit WAV written with the stdlib `wave` module."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


def wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as reader:
        return reader.getnframes() / reader.getframerate()

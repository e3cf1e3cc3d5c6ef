"""FLAC and Ogg Opus files of silence, written directly (no codec library).

Both formats have a frame type that costs a few bytes: FLAC's CONSTANT subframe (every
sample the same value) and Opus's 3-byte silent CELT frame (TOC 0xF8, then 0xFF 0xFE,
the frame WebRTC sends for silence). So a file of any length is a loop over identical
frames plus the checksums each container requires.
"""

from __future__ import annotations

import struct
from functools import cache

FLAC_BLOCK = 4608  # samples per FLAC frame (blocksize code 0101)
OPUS_FRAME = 960  # 20 ms at Opus's 48 kHz granule rate
OPUS_SILENCE = b"\xf8\xff\xfe"


@cache
def _crc_table(poly: int, width: int) -> tuple[int, ...]:
    top, mask = 1 << (width - 1), (1 << width) - 1
    table = []
    for byte in range(256):
        crc = byte << (width - 8)
        for _ in range(8):
            crc = ((crc << 1) ^ poly) & mask if crc & top else (crc << 1) & mask
        table.append(crc)
    return tuple(table)


def crc_msb(data: bytes, poly: int, width: int) -> int:
    """A non-reflected CRC with zero init (FLAC's CRC-8/CRC-16, Ogg's CRC-32)."""
    table, shift, mask = _crc_table(poly, width), width - 8, (1 << width) - 1
    crc = 0
    for byte in data:
        crc = ((crc << 8) & mask) ^ table[((crc >> shift) ^ byte) & 0xFF]
    return crc


def flac_silence(seconds: float, rate: int = 24_000) -> bytes:
    """A mono 16-bit 24 kHz FLAC file of silence, rounded up to whole 192 ms frames."""
    frames = max(1, -(-int(seconds * rate) // FLAC_BLOCK))
    info = bytearray(34)
    struct.pack_into(">HH", info, 0, FLAC_BLOCK, FLAC_BLOCK)
    # sample rate (20 bits), channels-1 (3), bits-1 (5), total samples (36); no MD5.
    packed = (rate << 44) | (0 << 41) | (15 << 36) | (frames * FLAC_BLOCK)
    info[10:18] = packed.to_bytes(8, "big")
    out = [b"fLaC", bytes([0x80, 0, 0, 34]), bytes(info)]
    for number in range(frames):
        # sync + fixed blocking, blocksize 4608 | 24 kHz, mono | 16-bit, frame number.
        header = b"\xff\xf8\x57\x08" + chr(number).encode("utf-8")
        header += bytes([crc_msb(header, 0x07, 8)])
        frame = header + b"\x00\x00\x00"  # CONSTANT subframe, value 0
        out.append(frame + crc_msb(frame, 0x8005, 16).to_bytes(2, "big"))
    return b"".join(out)


def _ogg_page(packets: list[bytes], granule: int, sequence: int, flags: int) -> bytes:
    segments = bytearray()
    for packet in packets:  # every packet here is shorter than 255 bytes
        segments.append(len(packet))
    header = struct.pack("<4sBBqIIIB", b"OggS", 0, flags, granule, 0x454D55, sequence, 0,
                         len(segments)) + bytes(segments)
    page = bytearray(header + b"".join(packets))
    struct.pack_into("<I", page, 22, crc_msb(bytes(page), 0x04C11DB7, 32))
    return bytes(page)


def opus_silence(seconds: float) -> bytes:
    """A mono Ogg Opus file of silence in 20 ms frames."""
    count = max(1, round(seconds * 50))
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 0, 24_000, 0, 0)
    vendor = b"llm-gateway-emulator"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
    pages = [_ogg_page([head], 0, 0, 0x02), _ogg_page([tags], 0, 1, 0)]
    done = 0
    while done < count:
        batch = min(255, count - done)
        done += batch
        flags = 0x04 if done == count else 0
        pages.append(_ogg_page([OPUS_SILENCE] * batch, done * OPUS_FRAME, len(pages), flags))
    return b"".join(pages)

"""Bytes to text: refuse binary data, detect legacy encodings and say which one was used."""

from __future__ import annotations

from dataclasses import dataclass

from charset_normalizer import from_bytes

from newstrace.ingest.errors import IngestError

# Control characters other than tab, newline, carriage return and form feed.
_BINARY_BYTES = bytes(range(0, 9)) + bytes([11]) + bytes(range(14, 32))
_SNIFF = 8192


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    detected: bool  # True when the encoding was guessed rather than declared or UTF-8


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or many control characters, in the first block mean binary data."""
    head = data[:_SNIFF]
    if not head:
        return False
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    control = sum(head.count(bytes([b])) for b in _BINARY_BYTES)
    return control / len(head) > 0.05


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Decode ``data`` as UTF-8, else as ``declared``, else as the detected encoding."""
    if looks_binary(data):
        raise IngestError("binary data, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        return Decoded(data[3:].decode("utf-8", errors="replace"), "utf-8-sig", False)
    try:
        return Decoded(data.decode("utf-8"), "utf-8", False)
    except UnicodeDecodeError:
        pass
    if declared:
        try:
            return Decoded(data.decode(declared), declared.lower(), False)
        except (UnicodeDecodeError, LookupError):
            pass
    best = from_bytes(data).best()
    if best is None:
        raise IngestError("undecodable text (no encoding fits)")
    return Decoded(str(best), best.encoding, True)


def normalize_newlines(text: str) -> str:
    """Store one newline convention so character offsets mean the same everywhere."""
    return text.replace("\r\n", "\n").replace("\r", "\n")

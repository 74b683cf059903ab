"""Bytes to text: refuse binary data, detect legacy encodings and say which one was used."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import chardet

from newstrace.ingest.errors import IngestError

# Control characters other than tab, newline, carriage return and form feed.
_BINARY_BYTES = bytes(range(0, 9)) + bytes([11]) + bytes(range(14, 32))
_NON_ASCII = bytes(range(128, 256))
_SNIFF = 8192


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # Python's canonical codec name
    warning: str | None = None  # a doubt to record with the document: a guess, lost bytes


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or many control characters, in the first block mean binary data."""
    head = data[:_SNIFF]
    if not head:
        return False
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    control = sum(head.count(bytes([b])) for b in _BINARY_BYTES)
    return control / len(head) > 0.05


def _codec_name(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _damaged_utf8(data: bytes) -> Decoded | None:
    """UTF-8 with a few bad bytes (a cut or corrupted file): keep it, mark the losses.

    Text in a legacy encoding has almost no valid multi-byte sequences, so more valid
    non-ASCII characters than bad bytes means the file is UTF-8.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    valid = len(text) - len(text.encode("ascii", errors="ignore")) - bad
    if valid <= bad:
        return None
    return Decoded(text, "utf-8", f"invalid UTF-8: {bad} bytes replaced with U+FFFD")


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Decode ``data`` as UTF-8, else as ``declared``, else as the detected encoding."""
    if looks_binary(data):
        raise IngestError("binary data, not text")
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(data[3:].decode("utf-8", errors="replace"), "utf-8-sig")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    codec = _codec_name(declared) if declared else None
    if codec:
        try:
            return Decoded(data.decode(codec), codec)
        except UnicodeDecodeError:
            pass
    damaged = _damaged_utf8(data)
    if damaged:
        return damaged
    guess = chardet.detect(data, prefer_superset=True)["encoding"]
    codec = _codec_name(guess) if guess else None
    if codec is None:
        raise IngestError("undecodable text (no encoding fits)")
    warning = f"not UTF-8; decoded as {codec} (detected)"
    try:
        return Decoded(data.decode(codec), codec, warning)
    except UnicodeDecodeError:  # detection looks at the start only
        text = data.decode(codec, errors="replace")
        return Decoded(text, codec, f"{warning}; undecodable bytes replaced with U+FFFD")


def sniff_encoding(head: bytes) -> str:
    """The encoding of a stream from its first bytes, which may end inside a character."""
    return decode_bytes(head.rstrip(_NON_ASCII) or head).encoding


def normalize_newlines(text: str) -> str:
    """Store one newline convention so character offsets mean the same everywhere."""
    return text.replace("\r\n", "\n").replace("\r", "\n")

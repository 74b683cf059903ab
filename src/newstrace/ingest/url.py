"""Fetching a URL with httpx: time and size caps, http(s) only, no private hosts by default."""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from newstrace.ingest.errors import IngestError, Item
from newstrace.ingest.feed import read_feed
from newstrace.ingest.html import read_html_bytes
from newstrace.ingest.text_file import text_bytes_to_document

MAX_REDIRECTS = 5
USER_AGENT = "newstrace/0.1 (+evidence ledger; research use)"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    timeout_s: float = 20.0
    max_bytes: int = 10 * 1024 * 1024
    allow_private: bool = False


def is_url(value: str) -> bool:
    """Written as a URL (``scheme://``): fetched when http(s), refused otherwise, never a path."""
    return bool(_SCHEME.match(value))


def _check_target(url: str, policy: FetchPolicy) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        raise IngestError(f"only http and https URLs are fetched, not {parts.scheme or 'none'}:")
    host = parts.hostname
    if not host:
        raise IngestError("URL has no host")
    if policy.allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise IngestError(f"cannot resolve host {host}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise IngestError(
                f"host {host} is a private or loopback address ({address}); "
                "use --allow-private to fetch it"
            )


def _download(client: httpx.Client, url: str, policy: FetchPolicy) -> tuple[str, str, bytes]:
    """Follow redirects by hand so every hop is checked; return (final url, type, body).

    httpx's timeout bounds each read; ``deadline`` bounds the whole fetch, so a server
    that trickles bytes cannot hold a batch forever.
    """
    deadline = time.monotonic() + policy.timeout_s
    for _ in range(MAX_REDIRECTS + 1):
        _check_target(url, policy)
        with client.stream("GET", url) as response:
            if response.is_redirect:
                location = response.headers.get("location")
                if not location:
                    raise IngestError(f"redirect without a location (HTTP {response.status_code})")
                url = urljoin(url, location)
                continue
            if response.status_code >= 400:
                raise IngestError(f"HTTP {response.status_code} {response.reason_phrase}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > policy.max_bytes:
                raise IngestError(f"response of {declared} bytes exceeds {policy.max_bytes}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > policy.max_bytes:
                    raise IngestError(f"response exceeds {policy.max_bytes} bytes; refused")
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout(
                        "whole-fetch time cap reached", request=response.request
                    )
            return url, response.headers.get("content-type", ""), bytes(body)
    raise IngestError(f"more than {MAX_REDIRECTS} redirects")


def read_url(url: str, policy: FetchPolicy) -> Iterator[Item]:
    """Fetch ``url`` and read it as HTML, a feed or plain text by its content type."""
    try:
        with httpx.Client(
            timeout=policy.timeout_s, follow_redirects=False, headers={"User-Agent": USER_AGENT}
        ) as client:
            final_url, content_type, body = _download(client, url, policy)
    except httpx.TimeoutException as exc:
        raise IngestError(f"timed out after {policy.timeout_s:g} s") from exc
    except httpx.InvalidURL as exc:  # not an HTTPError: e.g. a redirect to "javascript:x"
        raise IngestError(f"invalid URL or redirect target ({exc})") from exc
    except httpx.HTTPError as exc:
        raise IngestError(f"fetch failed ({exc.__class__.__name__}: {exc})") from exc
    kind = content_type.split(";")[0].strip().lower()
    if kind in {"application/rss+xml", "application/atom+xml", "application/xml", "text/xml"}:
        yield from read_feed(body, url)
        return
    if kind.startswith("text/plain") or kind == "text/markdown":
        doc = text_bytes_to_document(body, url, "text")
    elif "html" in kind or not kind:
        doc = read_html_bytes(body, url, url=final_url)
    else:
        raise IngestError(f"unsupported content type {kind!r}")
    doc.url = doc.url or final_url
    yield doc

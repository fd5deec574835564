"""Scrubbing what a cassette keeps: every secret out before a byte is written (pure).

The run's ``Redactor`` does the matching (credential headers by name, the secrets in every form
it knows, JWT-shaped strings); this module applies it to every part of a recorded exchange — URL,
request and response headers (names too), bodies, stream chunks — and replaces the resource host
when ``--redact-resource`` asks for it. A body and a stream are scrubbed whole, never chunk by
chunk, and with their SSE deltas reassembled (``Redactor.stream``): a secret split across two
chunks or two ``text_delta`` events is found all the same. Bodies arrive decoded (no
``content-encoding``) and lengths are fixed after scrubbing, so that a replayed answer is
consistent with itself. Request IDs are evidence and pass through untouched.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from ..core.redaction import SECRET_HEADERS, Redactor

REDACTED_HOST = "REDACTED-RESOURCE.services.ai.azure.com"
# Azure's host names for a resource: the Foundry one and its older siblings.
_AZURE_HOST_SUFFIX = r"\.(?:services\.ai|openai|cognitiveservices)\.azure\.com"
# Decoded and then dropped: a cassette stores the body as the checks read it.
DROPPED_RESPONSE_HEADERS = frozenset({"content-encoding"})

Headers = list[tuple[str, str]]


def resource_hosts(base_url: str | None, resource: str | None) -> tuple[str, ...]:
    """The host names ``--redact-resource`` removes: the base URL's host and the resource's."""
    hosts = []
    if base_url:
        host = urlsplit(base_url).hostname
        if host:
            hosts.append(host)
    if resource:
        hosts.append(f"{resource}.services.ai.azure.com")
    return tuple(dict.fromkeys(hosts))


class Scrubber:
    """Everything a cassette stores passes through here, with the run's redactor."""

    def __init__(
        self, redactor: Redactor, hosts: Iterable[str] = (), resource: str | None = None
    ) -> None:
        self.redactor = redactor
        patterns = [re.escape(h) for h in sorted(set(hosts), key=len, reverse=True) if h]
        if resource:
            patterns.append(re.escape(resource) + _AZURE_HOST_SUFFIX)
        self._hosts = re.compile("|".join(patterns), re.IGNORECASE) if patterns else None

    def text(self, value: str) -> str:
        """``value`` without secrets, JWTs or (if asked) the resource host."""
        return self._without_hosts(self.redactor.text(value))

    def stream(self, value: str) -> str:
        """A whole body or stream as ``text`` scrubs it, its SSE deltas reassembled as well."""
        return self._without_hosts(self.redactor.stream(value))

    def _without_hosts(self, value: str) -> str:
        return self._hosts.sub(REDACTED_HOST, value) if self._hosts is not None else value

    def file_name(self, name: str) -> str:
        """``name`` as a safe component of a file name, without secrets or the resource host."""
        return self.redactor.file_name(self._without_hosts(name))

    def url(self, url: str) -> str:
        """A URL without credential query parameters, secrets or the resource host."""
        return self.text(self.redactor.url(url))

    def header(self, name: str, value: str) -> str:
        """One header's value as a cassette may keep it."""
        if name.lower() in SECRET_HEADERS:
            return self.redactor.header_value(name, value)
        return self.text(value)

    def headers(self, items: Iterable[tuple[str, str]]) -> Headers:
        """Headers (names lower-cased and scrubbed, repeats kept) with credential values replaced."""
        return [
            (self._without_hosts(self.redactor.header_name(name)), self.header(name, value))
            for name, value in items
        ]

    def body(self, raw: bytes) -> str | bytes:
        """A body as text when it is UTF-8 (scrubbed whole, SSE deltas reassembled), else as
        bytes (scrubbed byte for byte)."""
        try:
            return self.stream(raw.decode("utf-8"))
        except UnicodeDecodeError:
            # latin-1 maps every byte to one character, so the scrub cannot corrupt the rest.
            return self.text(raw.decode("latin-1")).encode("latin-1", errors="replace")

    def chunks(self, chunks: Sequence[str]) -> list[str]:
        """Stream chunks as they arrived, scrubbed as one body (``stream``).

        The chunks are kept as they came when scrubbing them one by one gives the same text (no
        secret straddles a boundary, none is split across deltas); else the scrubbed whole is
        re-cut at SSE event boundaries, which keeps one event per chunk.
        """
        whole = self.stream("".join(chunks))
        scrubbed = [self.text(chunk) for chunk in chunks]
        if "".join(scrubbed) == whole:
            return scrubbed
        return split_events(whole)

    def leaks(self, values: Iterable[str | bytes]) -> bool:
        """Whether any of ``values`` still holds a secret (the last net before writing)."""
        for value in values:
            text = value.decode("latin-1") if isinstance(value, bytes) else value
            if self.redactor.contains_secret(text):
                return True
        return False


def split_events(text: str) -> list[str]:
    """``text`` cut after each blank line (the end of an SSE event); nothing is lost."""
    parts = re.split(r"(?<=\n\n)", text)
    return [part for part in parts if part]


def decode_chunks(raw: Sequence[bytes]) -> list[str] | None:
    """Chunks as text (a split character moves whole into the later chunk); None if not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    out: list[str] = []
    try:
        for chunk in raw:
            text = decoder.decode(chunk)
            if text:
                out.append(text)
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    if tail:
        out.append(tail)
    return out


def response_headers(items: Headers, body_length: int | None) -> Headers:
    """Recorded response headers: ``content-encoding`` dropped, ``content-length`` made true."""
    out = [(name, value) for name, value in items if name not in DROPPED_RESPONSE_HEADERS]
    if body_length is None:
        return out
    return [(name, str(body_length) if name == "content-length" else value) for name, value in out]


def request_headers(items: Headers, body_length: int) -> Headers:
    """Recorded request headers with ``content-length`` made true after the body was scrubbed."""
    return [
        (name, str(body_length) if name == "content-length" else value) for name, value in items
    ]


def body_length(body: str | bytes) -> int:
    """The length in bytes a body has on the wire."""
    return len(body.encode("utf-8")) if isinstance(body, str) else len(body)

"""The one place where secrets are removed from anything the harness keeps or shows.

Every interaction is redacted here before any check, diagnosis, cassette or writer sees it, and the
after-run scan asks the same redactor whether a file still holds a secret. Three nets:

1. headers that carry credentials by name (``api-key``, ``x-api-key``, ``authorization``, cookies);
2. the registered secrets, of any length, in every form a server or proxy may echo them back in
   (``spellings.py`` finds them): the value and any run of 12 of its characters; spelled with
   percent, JSON or HTML escapes, a few characters or all; in any case where its alphabet allows;
   hex-encoded; base64 or base64url at any offset inside a larger blob; split across the deltas of
   an SSE stream (``stream``) — in text, header names and values, URLs and file names;
3. anything shaped like a JWT, whoever it belongs to.

Request IDs are evidence and are never touched (unless a secret is spelled inside one).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import html
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

from .escapes import JSON_ESCAPES, Decoded
from .jwt_claims import JWT_PATTERN
from .spellings import FRAGMENT_LENGTH, MIN_ENCODED_LENGTH, Spellings, folds, merge_spans

__all__ = [
    "FRAGMENT_LENGTH",
    "MIN_ENCODED_LENGTH",
    "REDACTED",
    "REDACTED_JWT",
    "SECRET_HEADERS",
    "SECRET_QUERY_PARAMS",
    "Redactor",
    "redact_tree",
    "secret_forms",
]

REDACTED = "[REDACTED]"
REDACTED_JWT = "[REDACTED-JWT]"

SECRET_HEADERS = frozenset(
    {
        "api-key",
        "x-api-key",
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "ocp-apim-subscription-key",
        "x-ms-token-aad-access-token",
    }
)
SECRET_QUERY_PARAMS = frozenset(
    {"api-key", "api_key", "key", "code", "sig", "token", "access_token"}
)

_MARKERS = (REDACTED_JWT, REDACTED)
# The string values of an SSE stream's deltas (text_delta, input_json_delta, thinking_delta), and
# the text of the block that starts them.
_DELTA_STRING = re.compile(r'"(?:text|partial_json|thinking)"\s*:\s*"([^"\\]*(?:\\.[^"\\]*)*)"')
_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9._,=+@\[\]-]+")
# ``text`` remembers what it made of strings up to this long (a run redacts the same header names,
# model names and error bodies thousands of times), at most this many at once.
_MEMO_MAX_CHARS = 4096
_MEMO_ENTRIES = 8192


def _replace(text: str, spans: Sequence[tuple[int, int]]) -> str:
    parts, last = [], 0
    for start, end in spans:
        parts += [text[last:start], REDACTED]
        last = end
    parts.append(text[last:])
    return "".join(parts)


def secret_forms(secret: str) -> set[str]:
    """Whole spellings of ``secret`` the redactor finds (it finds more: mixed escapes, any case
    where it folds, fragments, base64 at an offset); for tests and the documentation."""
    raw = secret.encode()
    in_json = json.dumps(secret)[1:-1]
    every_char_json = "".join(f"\\u{ord(c):04x}" for c in secret)
    forms = {
        secret,
        in_json,
        in_json.replace("/", "\\/"),
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        html.escape(secret),
        "".join(f"&#{ord(c)};" for c in secret),
        "".join(f"&#x{ord(c):x};" for c in secret),
    }
    if secret.isascii():
        forms |= {every_char_json, every_char_json.upper().replace("\\U", "\\u")}
        forms |= {re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), quote(secret, safe=""))}
    if folds(secret):
        forms |= {secret.upper(), secret.lower()}
    encoded = {raw.hex(), raw.hex().upper(), base64.b64encode(raw).decode()}
    encoded |= {base64.urlsafe_b64encode(raw).decode().rstrip("=")}
    encoded |= {base64.b64encode(raw).decode().rstrip("=")}
    return forms | {form for form in encoded if len(form) >= MIN_ENCODED_LENGTH}


class Redactor:
    """Redacts the given secret values (and JWTs, and credential headers) from text and headers."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: frozenset[str] = frozenset()
        self._matcher: Spellings | None = None
        # What ``text`` made of short strings with this matcher: swapped with it, never shared.
        self._memo: dict[str, str] = {}
        # Checks run on several threads under --jobs; a token may arrive on any of them. Readers
        # take the current matcher (and its memo) as they are: ``add`` swaps in new ones, whole.
        self._lock = threading.Lock()
        for secret in secrets:
            if secret:
                self.add(secret)

    def add(self, secret: str) -> None:
        """Register one more secret value (a token fetched mid-run, for instance).

        Of any length: a short key is redacted too, wherever it occurs. The price is evidence — a
        3-character key blanks every occurrence of those 3 characters, and the after-run scan then
        flags most files — but a key that short is guessable anyway, and a key that leaks raw
        is worse than a report that says too little.
        """
        secret = secret.strip()
        with self._lock:
            if not secret or secret in self._secrets:
                return
            self._secrets = self._secrets | {secret}
            self._matcher, self._memo = Spellings(self._secrets, _MARKERS), {}

    @property
    def secrets(self) -> frozenset[str]:
        """The exact secret values registered (for the after-run artifact scan)."""
        return self._secrets

    def spans(self, value: str) -> list[tuple[int, int]]:
        """Where ``value`` spells a registered secret (merged, in order)."""
        matcher = self._matcher
        return matcher.spans(value) if matcher is not None and value else []

    def text(self, value: str) -> str:
        """``value`` with every secret form and every JWT-shaped string replaced."""
        # The memo first: ``add`` replaces the matcher first, so a memo read here is never newer
        # than the matcher (an older one only ever gets what a newer matcher made of a string).
        memo, matcher = self._memo, self._matcher
        remembered = len(value) <= _MEMO_MAX_CHARS
        if remembered and (done := memo.get(value)) is not None:
            return done
        spans = matcher.spans(value) if matcher is not None and value else []
        redacted = JWT_PATTERN.sub(REDACTED_JWT, _replace(value, spans) if spans else value)
        if remembered:
            if len(memo) >= _MEMO_ENTRIES:
                memo.clear()
            memo[value] = redacted
        return redacted

    def stream(self, body: str) -> str:
        """An SSE body (or any text) redacted as ``text`` does, after the string values of its
        deltas were joined: a secret split across ``text_delta`` or ``input_json_delta`` events is
        found in the reassembled text (decoded from JSON, so that a tool's input is read as the
        tool will read it), and its pieces are taken out of the events they came in (the first
        holds the marker): every event stays valid SSE and JSON."""
        if not self._split_across_deltas(body):
            return self.text(body)
        pieces = [m.span(1) for m in _DELTA_STRING.finditer(body)]
        decoded = Decoded("".join(body[a:b] for a, b in pieces), JSON_ESCAPES)
        spans = merge_spans([decoded.original(a, b) for a, b in self.spans(decoded.text)])
        edits: list[tuple[int, int, str]] = []
        offset = 0
        for a, b in pieces:
            for start, end in spans:
                lo, hi = max(start, offset), min(end, offset + b - a)
                if lo < hi:
                    marker = REDACTED if lo == start else ""
                    edits.append((a + lo - offset, a + hi - offset, marker))
            offset += b - a
        for start, end, marker in reversed(edits):
            body = body[:start] + marker + body[end:]
        return self.text(body)

    def _split_across_deltas(self, body: str) -> bool:
        """Whether the deltas' string values of ``body``, joined and decoded, spell a secret."""
        if "_delta" not in body or self._matcher is None:
            return False
        joined = "".join(_DELTA_STRING.findall(body))
        with contextlib.suppress(ValueError):  # if it is not JSON after all: as it is
            joined = json.loads(f'"{joined}"', strict=False)
        return bool(self.spans(joined))

    def header_value(self, name: str, value: str) -> str:
        """One header's value as it may be kept."""
        lowered = name.lower()
        if lowered in SECRET_HEADERS:
            scheme, _, credential = value.partition(" ")
            if lowered in {"authorization", "proxy-authorization"} and credential:
                return f"{scheme} {REDACTED}"
            return REDACTED
        return self.text(value)

    def header_name(self, name: str) -> str:
        """A header's name as it may be kept: lower-cased, a secret spelled in it redacted."""
        redacted = self.text(name)
        if redacted == name:
            return name.lower()
        return "".join(p if p in _MARKERS else p.lower() for p in _split_markers(redacted))

    def headers(self, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
        """A redacted copy of ``headers`` (names lower-cased, repeated names joined with ', ')."""
        items = headers.items() if isinstance(headers, Mapping) else headers
        out: dict[str, str] = {}
        for name, value in items:
            lowered = self.header_name(name)
            redacted = self.header_value(lowered, value)
            out[lowered] = f"{out[lowered]}, {redacted}" if lowered in out else redacted
        return out

    def url(self, url: str) -> str:
        """``url`` with secret values and credential-bearing query parameters removed."""
        base, sep, query = url.partition("?")
        if sep:
            parts = []
            for pair in query.split("&"):
                name, eq, _value = pair.partition("=")
                parts.append(
                    f"{name}={REDACTED}" if eq and name.lower() in SECRET_QUERY_PARAMS else pair
                )
            url = base + "?" + "&".join(parts)
        return self.text(url)

    def file_name(self, name: str, limit: int = 120) -> str:
        """``name`` as one safe component of a file name: secrets redacted, then every character
        a file system or a shell may mind replaced by ``_``; a long one is cut, and a digest of
        what was cut keeps it apart from its siblings."""
        safe = self.text(_UNSAFE_IN_FILE_NAME.sub("_", self.text(name))).strip(". ") or "_"
        if len(safe) > limit:
            digest = hashlib.sha256(safe.encode()).hexdigest()[:12]
            safe = f"{safe[: limit - 13]}-{digest}"
        return safe

    def contains_secret(self, value: str) -> bool:
        """Whether ``value`` still holds any registered secret in a form ``text`` or ``stream``
        removes (used by the artifact scan)."""
        return bool(self.spans(value)) or self._split_across_deltas(value)


def _split_markers(text: str) -> list[str]:
    return re.split("(" + "|".join(map(re.escape, _MARKERS)) + ")", text)


def redact_tree(
    value: Any, redact: Callable[[str], str], *, walk: Callable[[object], bool] | None = None
) -> Any:
    """``value`` with every string inside it passed to ``redact``: strings and tuples come back
    new; lists, dicts (keys too) and dataclass instances are changed in place, so that whoever
    holds them sees the change (a pytest report's traceback, a summary's checks); so are the
    attributes of any other object ``walk`` accepts."""
    return _redact_tree(value, redact, walk, set())


def _redact_tree(
    value: Any, redact: Callable[[str], str], walk: Callable[[object], bool] | None, seen: set[int]
) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bytes | int | float) or value is None or id(value) in seen:
        return value
    seen.add(id(value))

    def again(item: Any) -> Any:
        return _redact_tree(item, redact, walk, seen)

    if isinstance(value, tuple):
        items = [again(item) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, list):
        value[:] = [again(item) for item in value]
    elif isinstance(value, dict):
        pairs = [(again(key), again(item)) for key, item in value.items()]
        value.clear()
        value.update(pairs)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for spec in dataclasses.fields(value):
            _set_redacted(value, spec.name, again)
    elif walk is not None and walk(value) and hasattr(value, "__dict__"):
        for name in list(vars(value)):
            _set_redacted(value, name, again)
    return value


def _set_redacted(owner: object, name: str, redact: Callable[[Any], Any]) -> None:
    current = getattr(owner, name)
    redacted = redact(current)
    if redacted is not current:
        object.__setattr__(owner, name, redacted)  # frozen dataclasses too

"""The one place where secrets are removed from anything the harness keeps or shows.

Every interaction is redacted here before any check, diagnosis, cassette or writer sees it.
Three nets, from cheap to thorough:

1. headers that carry credentials by name (``api-key``, ``x-api-key``, ``authorization``, cookies);
2. the exact values of the secrets in use, wherever they appear (a server may echo a key back in
   an error body or a header), in their plain, URL-encoded and base64 forms;
3. anything shaped like a JWT, whoever it belongs to.

Request IDs are evidence and are never touched.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

from .jwt_claims import JWT_PATTERN

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

# Secrets shorter than this are not scrubbed by value: replacing every "1" in a body would destroy
# evidence and protect nothing (real keys and tokens are far longer).
MIN_SECRET_LENGTH = 8


def secret_forms(secret: str) -> set[str]:
    """The spellings in which ``secret`` may appear in an artifact."""
    raw = secret.encode()
    # Inside a JSON string (a server echoing the key in an error body) a quote, a backslash or a
    # non-ASCII letter is escaped, and some encoders escape '/' as well.
    in_json = json.dumps(secret)[1:-1]
    forms = {
        secret,
        in_json,
        in_json.replace("/", "\\/"),
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret, safe=""),
        quote(secret),  # urllib's default keeps '/' as it is
        quote_plus(secret),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        base64.b64encode(raw).decode().rstrip("="),
    }
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


class Redactor:
    """Redacts the given secret values (and JWTs, and credential headers) from text and headers."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        # Checks run on several threads under --jobs; a token may arrive on any of them.
        self._lock = threading.Lock()
        for secret in secrets:
            if secret:
                self.add(secret)

    def add(self, secret: str) -> None:
        """Register one more secret value (a token fetched mid-run, for instance)."""
        secret = secret.strip()
        with self._lock:
            if len(secret) < MIN_SECRET_LENGTH or secret in self._secrets:
                return
            self._secrets.add(secret)
            forms = set().union(*(secret_forms(s) for s in self._secrets))
            # Longest first, so that a secret's base64 form is not half-replaced by a shorter one.
            ordered = sorted(forms, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(form) for form in ordered))

    @property
    def secrets(self) -> frozenset[str]:
        """The exact secret values registered (for the after-run artifact scan)."""
        with self._lock:
            return frozenset(self._secrets)

    def text(self, value: str) -> str:
        """``value`` with every secret form and every JWT-shaped string replaced."""
        if self._pattern is not None:
            value = self._pattern.sub(REDACTED, value)
        return JWT_PATTERN.sub(REDACTED_JWT, value)

    def header_value(self, name: str, value: str) -> str:
        """One header's value as it may be kept."""
        lowered = name.lower()
        if lowered in SECRET_HEADERS:
            scheme, _, credential = value.partition(" ")
            if lowered in {"authorization", "proxy-authorization"} and credential:
                return f"{scheme} {REDACTED}"
            return REDACTED
        return self.text(value)

    def headers(self, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
        """A redacted copy of ``headers`` (names lower-cased, repeated names joined with ', ')."""
        items = headers.items() if isinstance(headers, Mapping) else headers
        out: dict[str, str] = {}
        for name, value in items:
            lowered = name.lower()
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

    def contains_secret(self, value: str) -> bool:
        """Whether ``value`` still holds any registered secret form (used by the artifact scan)."""
        return self._pattern is not None and self._pattern.search(value) is not None

"""An oracle for the redaction tests: does a text still spell a secret, in any form?

Written apart from ``conformance.core.redaction`` on purpose, so that the tests do not grade the
redactor with itself: it decodes with the standard library (``urllib.parse``, ``html``) and a regex
of its own for JSON, and it finds the base64 characters that belong to a secret alone by encoding
it between two opposite neighbours (all-zero and all-one bits) and keeping what agrees.

The forms it knows are the ones the redactor promises (see its module docstring): the secret, or a
run of 12 of its characters, after any one of those decodings, in any case where the secret folds;
24 hex digits of its hex; 15 characters of its base64 or base64url at any alignment; and shorter
secrets whole (hex and base64 once they are 8 characters long).
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from urllib.parse import unquote, unquote_plus

from conformance.core.redaction import REDACTED, REDACTED_JWT

FRAGMENT = 12
HEX_FRAGMENT = 24
BASE64_FRAGMENT = 15  # 12 bytes leave 15 characters of their own at the worst alignment
MIN_ENCODED = 8

_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\(.)", re.DOTALL)
_JSON_SHORT = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def ascii_lower(text: str) -> str:
    return text.translate(_LOWER)


def folds(secret: str) -> bool:
    """The redactor's documented case rule: letters of one case, or 12 characters or more."""
    has_lower = re.search("[a-z]", secret) is not None
    has_upper = re.search("[A-Z]", secret) is not None
    return not (has_lower and has_upper) or len(secret) >= FRAGMENT


def without_markers(text: str) -> str:
    """Markers are the redactor's own text: what spells a secret must lie outside them."""
    return text.replace(REDACTED_JWT, "\x00").replace(REDACTED, "\x00")


def json_unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return chr(int(match.group(1), 16))
        return _JSON_SHORT.get(match.group(2), match.group(2))

    return _JSON_ESCAPE.sub(one, text)


DECODINGS: tuple[Callable[[str], str], ...] = (
    lambda text: text,
    unquote,
    unquote_plus,
    html.unescape,
    json_unescape,
)


def base64_own(value: bytes, prefix: int, *, urlsafe: bool) -> str:
    """The characters of ``value``'s base64, ``prefix`` bytes into a blob, that only it decides."""
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    low = encode(b"\x00" * prefix + value + b"\x00\x00\x00").decode()
    high = encode(b"\xff" * prefix + value + b"\xff\xff\xff").decode()
    agree = [a if a == b else "\x00" for a, b in zip(low, high, strict=True)]
    return max("".join(agree).split("\x00"), key=len)


class _Runs:
    """Strings no text may hold: whole if shorter than ``size``, else every run of ``size``."""

    def __init__(self, values: list[str], size: int) -> None:
        self.size = size
        self.whole = [v for v in values if len(v) < size]
        self.runs = {v[i : i + size] for v in values for i in range(len(v) - size + 1)}

    def held_by(self, text: str) -> bool:
        if any(value in text for value in self.whole):
            return True
        size = self.size
        return bool(self.runs) and not self.runs.isdisjoint(
            text[i : i + size] for i in range(len(text) - size + 1)
        )


class Oracle:
    """Whether a text still spells one secret, in any form the redactor promises to remove."""

    def __init__(self, secret: str) -> None:
        self.folds = folds(secret)
        self.plain = _Runs([ascii_lower(secret) if self.folds else secret], FRAGMENT)
        raw = secret.encode()
        self.hex = _Runs([raw.hex()] if 2 * len(raw) >= MIN_ENCODED else [], HEX_FRAGMENT)
        own = {
            base64_own(raw, prefix, urlsafe=urlsafe)
            for prefix in range(3)
            for urlsafe in (False, True)
        }
        self.base64 = _Runs([v for v in own if len(v) >= MIN_ENCODED], BASE64_FRAGMENT)

    def leaks(self, text: str) -> list[str]:
        """How ``text`` still spells the secret (empty: it does not)."""
        text = without_markers(text)
        found = []
        for i, decode in enumerate(DECODINGS):
            decoded = decode(text)
            if self.plain.held_by(ascii_lower(decoded) if self.folds else decoded):
                found.append(f"plainly, after decoding #{i}")
        if self.hex.held_by(ascii_lower(text)):
            found.append("in hex")
        if self.base64.held_by(text):
            found.append("in base64")
        return found


def leaks(text: str, secret: str) -> list[str]:
    """How ``text`` still spells ``secret`` (empty: it does not)."""
    return Oracle(secret).leaks(text)

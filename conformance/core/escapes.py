"""Percent, JSON and HTML escapes, decoded with the way back to the original offsets (pure).

The redactor finds a secret spelled with escapes by decoding them first: ``%2D``, ``\\u002d``,
``&#45;``, ``&#x2d;`` and ``&amp;`` are one character each to it, however many of a secret's
characters are escaped and whichever case their hex digits are in. ``Decoded`` keeps, for every
character that came from an escape, the escape it came from, so that a span found in the decoded
text is the span of whole escapes in the original: what is left of a JSON string, a URL or an
HTML page stays well-formed.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_HTML_NAMES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_JSON_SHORT = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}
# JSON's own escapes, every one (to read a JSON string's content).
JSON_ESCAPES = re.compile(
    r'\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\["\\/bfnrt]'
)
# Any escape at all, whatever it spells (to widen a span that would cut one).
_ANY_ESCAPE = re.compile(
    r"%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|\\.|&#[0-9]{1,7};|&#[xX][0-9A-Fa-f]{1,6};|&[A-Za-z]{2,8};"
)
_LONGEST_ESCAPE = 11


@dataclass(frozen=True)
class Escapes:
    """One way of escaping characters, as a regex, and substrings that betray its use."""

    pattern: re.Pattern[str]
    hints: tuple[str, ...]


def escape_families(alphabet: frozenset[str]) -> list[Escapes]:
    """Percent, JSON and HTML escapes of the characters of ``alphabet``, and all three at once.

    Each family is also decoded on its own: a secret holding "%41" arrives JSON-escaped with
    the "%41" as it is, and decoding that too would spell it otherwise.
    """
    ascii_only = all(c < "\x80" for c in alphabet)
    percent = r"%[0-7][0-9A-Fa-f]" if ascii_only else r"%[0-9A-Fa-f]{2}(?:%[89ABab][0-9A-Fa-f])*"
    short = sorted(k for k, char in _JSON_SHORT.items() if char in alphabet or k == "/")
    in_json = (
        r"\\u00[0-7][0-9A-Fa-f]"
        if ascii_only
        else r"\\u[dD][89abAB][0-9A-Fa-f]{2}\\u[dD][c-fC-F][0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}"
    ) + (r"|\\[" + re.escape("".join(short)) + "]")
    # Only the numeric references of the alphabet's own characters: an HTML page holds thousands
    # of others (&#34; for every quote an attribute holds), which can spell no secret.
    codes = sorted({ord(c) for c in alphabet}, key=lambda code: -len(str(code)))
    decimal = "|".join(str(code) for code in codes)
    hexadecimal = "|".join(sorted({f"{code:x}" for code in codes}, key=len, reverse=True))
    in_html = rf"&#0{{0,6}}(?:{decimal});|&#[xX]0{{0,5}}(?i:{hexadecimal});"
    names = [name for name, char in _HTML_NAMES.items() if char in alphabet]
    if names:
        in_html += "|&(?i:" + "|".join(names) + ");"
    families = [
        Escapes(re.compile(percent), ("%",)),
        Escapes(re.compile(in_json), ("\\u", *(f"\\{k}" for k in short))),
        Escapes(re.compile(in_html), ("&",)),
    ]
    every = "|".join(f.pattern.pattern for f in families)
    return [*families, Escapes(re.compile(every), ())]


def _unescape(token: str) -> list[tuple[int, str]] | None:
    """What one escape spells, as (characters of the escape, character) pairs; None if nothing."""
    try:
        if token[0] == "%":
            chars = bytes.fromhex(token.replace("%", "")).decode("utf-8")
            return [(3 * len(c.encode("utf-8")), c) for c in chars]
        if token.startswith("\\u"):
            code = int(token[2:6], 16)
            if len(token) == 12:  # a surrogate pair
                code = 0x10000 + ((code - 0xD800) << 10) + int(token[8:12], 16) - 0xDC00
            return [(len(token), chr(code))]
        if token[0] == "\\":
            return [(2, _JSON_SHORT[token[1]])]
        if token.startswith("&#"):
            digits = token[2:-1]
            code = int(digits[1:], 16) if digits[0] in "xX" else int(digits)
            return [(len(token), chr(code))]
        return [(len(token), _HTML_NAMES[token[1:-1].lower()])]
    except (ValueError, OverflowError, KeyError):
        return None


class Decoded:
    """A text with its escapes decoded, and the way back to the original offsets."""

    def __init__(self, text: str, escapes: re.Pattern[str]) -> None:
        parts: list[str] = []
        self._at: list[int] = []  # decoded offset of each character that came from an escape
        self._spans: list[tuple[int, int]] = []  # … and its escape in the original
        last = size = 0
        for found in escapes.finditer(text):
            chars = _unescape(found.group())
            if chars is None:
                continue
            start = found.start()
            parts.append(text[last:start])
            size += start - last
            for length, char in chars:
                self._at.append(size)
                self._spans.append((start, start + length))
                parts.append(char)
                size += 1
                start += length
            last = found.end()
        parts.append(text[last:])
        self.text = "".join(parts)

    @property
    def changed(self) -> bool:
        return bool(self._at)

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the decoded span ``[start, end)`` (whole escapes)."""
        return self._locate(start)[0], self._locate(end - 1)[1]

    def _locate(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self._at, offset) - 1
        if i < 0:
            return offset, offset + 1
        if self._at[i] == offset:
            return self._spans[i]
        original = self._spans[i][1] + offset - self._at[i] - 1
        return original, original + 1


def widen(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` widened so as not to cut an escape in two: a secret spelled plainly may
    begin inside one ("2" in "\\u00b2", "41…" in "%41…"), and what is left must stay well-formed."""
    near = _LONGEST_ESCAPE
    for escape in _ANY_ESCAPE.finditer(text, max(0, start - near), start + near):
        if escape.start() < start < escape.end():
            start = escape.start()
    for escape in _ANY_ESCAPE.finditer(text, max(0, end - near), end + near):
        if escape.start() < end < escape.end():
            end = escape.end()
    return start, end

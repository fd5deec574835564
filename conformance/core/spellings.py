"""Where a text spells a secret: every form of it, found in a few C-speed passes (pure).

The forms, as ``Redactor`` promises them: the secret itself and any run of ``FRAGMENT_LENGTH`` of
its characters (what a server that cuts an echo at a length limit leaves), whatever its case where
``folds`` allows; its hex in either case; its base64 and base64url at each of the three alignments
(so that it is found at any offset inside a larger blob), runs of 12 bytes of those too; and all of
these spelled with escapes (``escapes.py``), a few characters or all of them.

How: every spelling that is not an escape is cut into 8-byte windows, kept in one set. A text is
scanned as it is and, when it holds escapes of a kind that could spell a secret, once more per
kind decoded (percent, JSON, HTML; and all three at once when it holds several), with a map back
to the original offsets. A scan reads the text as 8-character windows every 4 characters (two
``memoryview`` casts and a set test, no Python loop); only a window found in the set is verified,
and extended character by character to the whole run. So the common case costs a few passes over
the text at C speed, whatever the number and the length of the secrets: about 3 ms for 256 KiB.
"""

from __future__ import annotations

import base64
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .escapes import Decoded, escape_families, widen

# A run of this many consecutive characters of a secret is the secret: what a server that cuts an
# echo at a length limit leaves is found, and 12 characters of a key never occur by chance. In the
# encodings the same 12 bytes are 24 hex digits, or 15 base64 characters at the worst of the three
# alignments (the first and the last character of a shifted run also hold bits of its neighbours).
FRAGMENT_LENGTH = 12
_HEX_FRAGMENT = 2 * FRAGMENT_LENGTH
_BASE64_FRAGMENT = (8 * FRAGMENT_LENGTH - 4) // 6
# Hex and base64 spellings shorter than this are not matched: "6162" or "YWI" occur in any hex or
# base64 text, so a short key is found as itself and in its escapes, but not in those encodings.
MIN_ENCODED_LENGTH = 8

_WINDOW = 8  # bytes of one window (one unsigned 64-bit integer); cut every 4 characters,
_DIRECT = _WINDOW + 3  # so a spelling this long always holds one whole; shorter ones: a regex
_ASCII_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# The prefilter folds what a verification tells apart: case, base64url to base64, ' ' to '+'.
_PREFILTER = bytes.maketrans(_ASCII_UPPER.encode() + b"-_ ", _ASCII_UPPER.lower().encode() + b"+/+")
# How loosely a spelling is compared: exactly, case-folded, '+' as ' ', or both.
_TABLES: tuple[dict[int, int] | None, ...] = (
    None,
    str.maketrans(_ASCII_UPPER, _ASCII_UPPER.lower()),
    str.maketrans("+", " "),
    str.maketrans(_ASCII_UPPER + "+", _ASCII_UPPER.lower() + " "),
)
_BASE64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_")


def folds(secret: str) -> bool:
    """Whether ``secret`` is matched whatever the case of its (ASCII) letters.

    Its alphabet allows it when case carries no information — its letters are all of one case, as
    in hex keys (Azure's 32-hex-char keys) and lower-case tokens: then an upper-cased echo *is* the
    key — or when it is at least ``FRAGMENT_LENGTH`` long: folding a mixed-case key loses one bit
    per letter and leaves the rest (length, digits, symbols, every letter) to a reader, and no text
    matches 12 characters of a key by chance in any case. Only a short mixed-case secret keeps its
    case: for it, case is much of what little there is, and folding would blank ordinary words.
    """
    lower = any("a" <= c <= "z" for c in secret)
    upper = any("A" <= c <= "Z" for c in secret)
    return not (lower and upper) or len(secret) >= FRAGMENT_LENGTH


@dataclass(frozen=True)
class _Form:
    """One spelling of a secret, and how loosely it is compared."""

    value: str  # normalised as the text is before comparing (``table``)
    mode: int  # which of ``_TABLES`` normalises: case fold and/or '+' as ' ', or none
    min_run: int  # the shortest run that counts (the whole value if it cannot be cut)
    # A base64 spelling: how many characters after it hold some of its bits (0 or 1; None: not
    # base64). A run that reaches its end takes those along, and the padding.
    base64_tail: int | None

    @classmethod
    def of(cls, value: str, *, fold: bool, plus: bool, fragment: int, tail: int | None) -> _Form:
        mode = fold + 2 * plus
        table = _TABLES[mode]
        normal = value.translate(table) if table is not None else value
        return cls(normal, mode, min(fragment, len(value)), tail)

    @property
    def table(self) -> dict[int, int] | None:
        return _TABLES[self.mode]


def _base64_forms(raw: bytes) -> list[tuple[str, int]]:
    """The parts of ``raw``'s base64 that do not depend on what surrounds it, at each alignment,
    with the number of characters after each that hold some of its bits too."""
    out = []
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).decode()
        start = -(-8 * shift // 6)  # the first character made of the secret's bits only
        bits = 8 * (shift + len(raw))
        inner = encoded[start : bits // 6]
        partial = int(bits % 6 != 0)
        out += [(inner, partial), (inner.translate(str.maketrans("+/", "-_")), partial)]
    if len(raw) < FRAGMENT_LENGTH:  # a short one on its own, padding included
        out += [(base64.b64encode(raw).decode(), 0), (base64.urlsafe_b64encode(raw).decode(), 0)]
    return out


def _forms(secret: str) -> list[_Form]:
    """Every spelling of ``secret`` that is not an escape (escapes are decoded from the text)."""
    fold, plus = folds(secret), " " in secret
    forms = [_Form.of(secret, fold=fold, plus=plus, fragment=FRAGMENT_LENGTH, tail=None)]
    raw = secret.encode("utf-8", "surrogatepass")
    encoded: list[tuple[str, bool, int, int | None]] = [(raw.hex(), True, _HEX_FRAGMENT, None)]
    encoded += [(b64, False, _BASE64_FRAGMENT, tail) for b64, tail in _base64_forms(raw)]
    for value, case_free, fragment, tail in encoded:
        if len(value) >= MIN_ENCODED_LENGTH:
            forms.append(_Form.of(value, fold=case_free, plus=False, fragment=fragment, tail=tail))
    return list(dict.fromkeys(forms))


def _prefilter(text: str) -> bytes:
    """One byte per character, folded like the windows of the forms (a superset of every match)."""
    return text.encode("latin-1", "replace").translate(_PREFILTER)


def _windows(data: bytes, start: int) -> memoryview:
    """The 8-byte windows of ``data`` at ``start``, ``start + 8``, … read as integers (a view)."""
    usable = max(0, (len(data) - start) // _WINDOW * _WINDOW)
    return memoryview(data)[start : start + usable].cast("Q")


def _short_pattern(form: _Form) -> str:
    """A spelling too short for the windows, as a regex (its folds as character classes)."""
    out = []
    for char in form.value:
        variants = {char}
        if form.table is not None:
            variants |= {k for k in map(chr, form.table) if chr(form.table[ord(k)]) == char}
        out.append(re.escape(char) if len(variants) == 1 else f"[{re.escape(''.join(variants))}]")
    return "".join(out)


class Spellings:
    """Everything precomputed to find a set of secrets (immutable: a new secret, a new one).

    ``opaque`` strings (the redactor's markers) are never matched into, nor across.
    """

    def __init__(self, secrets: Iterable[str], opaque: Sequence[str] = ()) -> None:
        self.opaque = tuple(opaque)
        secrets = sorted(secrets)
        forms = list(dict.fromkeys(f for s in secrets for f in _forms(s)))
        self.forms = forms
        self.index: dict[int, list[tuple[int, int]]] = {}
        short = []
        for number, form in enumerate(forms):
            if len(form.value) < _DIRECT:
                short.append(form)
                continue
            data = _prefilter(form.value)
            for start in range(_WINDOW):
                for i, key in enumerate(_windows(data, start).tolist()):
                    self.index.setdefault(key, []).append((number, start + _WINDOW * i))
        self.keys = frozenset(self.index)
        short.sort(key=lambda f: len(f.value), reverse=True)
        self.short = re.compile("|".join(map(_short_pattern, short))) if short else None
        alphabet = frozenset("".join(secrets)) | _BASE64_CHARS | set("=")
        *self.escapes, self.every_escape = escape_families(alphabet)
        self.mask = next(c for c in "\x00\x01\x02\x03\ue000\ue001" if c not in alphabet)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The spans of ``text`` that spell a secret, merged, in order."""
        for marker in self.opaque:  # masked: nothing is matched inside a marker or across it
            if marker in text:
                text = text.replace(marker, self.mask * len(marker))
        found = self._scan(text)
        used = [f for f in self.escapes if any(hint in text for hint in f.hints)]
        if len(used) > 1:  # escapes of two kinds: one layer inside another, perhaps
            used.append(self.every_escape)
        decodings = [d for d in (Decoded(text, f.pattern) for f in used) if d.changed]
        for decoded in decodings:
            found += [decoded.original(a, b) for a, b in self._scan(decoded.text)]
        if found and any(c in text for c in "%\\&"):
            found = [widen(text, a, b) for a, b in found]
        return merge_spans(found)

    def _scan(self, text: str) -> list[tuple[int, int]]:
        found = []
        if self.short is not None:
            found = [m.span() for m in self.short.finditer(text)]
        if not self.keys:
            return found
        data = _prefilter(text)
        hits: list[tuple[int, int]] = []
        seen: set[int] = set()
        for start in (0, 4):
            windows = _windows(data, start)
            if self.keys.isdisjoint(windows):  # the common case: one C-speed pass, no secret
                continue
            for key in self.keys.intersection(windows) - seen:
                seen.add(key)
                window = key.to_bytes(_WINDOW, sys.byteorder)
                at = data.find(window)
                while at >= 0:  # every occurrence, aligned or not: each is verified
                    hits.append((at, key))
                    at = data.find(window, at + 1)
        covered = 0
        for at, key in sorted(hits):
            if at + _WINDOW <= covered:
                continue  # inside a run already found (a run it continues has windows further on)
            for number, offset in self.index[key]:
                run = self._extend(text, at, self.forms[number], offset)
                if run is not None:
                    found.append(run)
                    covered = max(covered, run[1])
        return found

    @staticmethod
    def _extend(text: str, at: int, form: _Form, offset: int) -> tuple[int, int] | None:
        """The whole run of ``form`` through the window at ``at`` (``offset`` in the form)."""
        value = form.value
        lo, hi = max(0, at - offset), min(len(text), at + len(value) - offset)
        near = text[lo:hi] if form.table is None else text[lo:hi].translate(form.table)
        here, there = at - lo, offset
        if near[here : here + _WINDOW] != value[there : there + _WINDOW]:
            return None
        start, first = here, there
        while start > 0 and first > 0 and near[start - 1] == value[first - 1]:
            start, first = start - 1, first - 1
        end, last = here + _WINDOW, there + _WINDOW
        while end < len(near) and last < len(value) and near[end] == value[last]:
            end, last = end + 1, last + 1
        if end - start < form.min_run and not (first == 0 and last == len(value)):
            return None
        end += lo
        if form.base64_tail is not None and last == len(value):
            if form.base64_tail and end < len(text) and text[end] in _BASE64_CHARS:
                end += 1
            while end < len(text) and text[end] == "=":
                end += 1
        return start + lo, end


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` in order, those that overlap or touch joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged

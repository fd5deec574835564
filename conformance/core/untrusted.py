"""JSON from outside the harness, parsed within bounds: a file a user hands it, a body a server sent.

``json.loads`` trusts what it reads: a document nested 100,000 deep raises ``RecursionError``, a
5,000-digit integer a ``ValueError`` that names no value, ``"\\ud800"`` passes as a lone surrogate
that fails later, when a writer encodes it, and a wrong type surfaces as an ``AttributeError``
deep inside whoever reads the field. ``parse_json`` bounds the size, the encoding, the nesting
depth, the length of every integer and the text of every string, and raises one
``UntrustedJSONError`` naming the source and the JSON path of the offending value
(``$.checks[3].title``). ``Node`` reads the parsed document field by field, with the same error for
a field that is missing or of the wrong type.

Pure: the standard library only.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError

MiB = 1024 * 1024
# A summary.json of the full suite with every check failing is a few MB (each error body is cut
# to 4 KiB), a metadata.json some KB: 16 MiB is several times the largest, and decoding that much
# stays under a second and a few hundred MB.
MAX_FILE_BYTES = 16 * MiB
# The largest Messages answer (128k output tokens) is a few MB even JSON-escaped, and the
# emulator's huge-body fault (5 MB) must still be judged as the body it is; past 16 MiB a body is
# not an answer this harness judges, and decoding it would cost hundreds of MB.
MAX_BODY_BYTES = 16 * MiB
# Nothing the harness reads nests past ~10 levels (a tool's input is the deepest: it nests as its
# schema does). 64 is far past that and far below the interpreter's recursion limit (1000), which
# the decoder, pydantic (the SDK's types), the writers and json.dumps all spend walking a value.
MAX_DEPTH = 64
# Python's own default (sys.get_int_max_str_digits): converting longer digit strings costs time
# quadratic in their length (CVE-2020-10735); no count, status or token number comes close.
MAX_INT_DIGITS = 4300
# The largest integer ``Node.integer`` reads: every count, status and sequence number of a run
# fits in 64 bits, and a larger one overflows wherever a writer turns it into a float.
MAX_INTEGER = 2**63 - 1

_STRUCTURE = re.compile(r'["\[\]{}:,]')
# The rest of a string after its opening quote; matched only where a string opens, so that a scan
# of the whole text stays linear.
_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")
# A lone surrogate can only come from a \uD800–\uDFFF escape or from a str that already held one.
_MAYBE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SHOWN_STEPS = 12  # a path 100,000 steps deep is shown by its start and its end


class UntrustedJSONError(InputError):
    """JSON from outside the harness that breaks a limit, is not JSON, or holds a field of the
    wrong type: ``source: path problem``, e.g. ``summary.json: $.verdict is missing``."""

    def __init__(
        self,
        source: str,
        path: str,
        problem: str,
        *,
        decode_error: json.JSONDecodeError | None = None,
    ) -> None:
        super().__init__(f"{source}: {path} {problem}")
        self.source = source
        self.path = path  # "$" is the whole document
        self.problem = problem
        self.decode_error = decode_error  # the decoder's own error, when the text is not JSON


@dataclass(frozen=True)
class _LongInteger:
    """Stands in for an integer literal too long to convert."""

    digits: int


def read_at_most(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, but never more than ``limit`` + 1 of them (read piece by piece, so
    that neither a huge file nor an endless one, like a FIFO, is read whole)."""
    pieces: list[bytes] = []
    size = 0
    with path.open("rb") as file:
        while size <= limit and (piece := file.read(min(MiB, limit + 1 - size))):
            pieces.append(piece)
            size += len(piece)
    return b"".join(pieces)


def parse_json(
    data: bytes | str,
    *,
    source: str,
    max_bytes: int = MAX_BODY_BYTES,
    max_depth: int = MAX_DEPTH,
    max_int_digits: int = MAX_INT_DIGITS,
) -> Any:
    """``data`` decoded, or ``UntrustedJSONError`` naming ``source`` and where it went wrong."""
    size = len(data) if isinstance(data, bytes) else _utf8_length(data, max_bytes)
    if size > max_bytes:
        problem = f"is {size:,} bytes, more than the {max_bytes:,} this harness reads"
        raise UntrustedJSONError(source, "$", problem)
    text = _text(data, source)
    long_integers: list[int] = []

    def integer(literal: str) -> int | _LongInteger:
        digits = len(literal) - literal.startswith("-")
        if digits <= max_int_digits:
            try:
                return int(literal)
            except ValueError:  # sys.set_int_max_str_digits lowered below max_int_digits
                pass
        long_integers.append(digits)
        return _LongInteger(digits)

    deep = f"nests deeper than {max_depth} levels"
    try:
        value = json.loads(text, parse_int=integer)
    except json.JSONDecodeError as exc:
        # "Unterminated string starting at" already ends in the word that comes next.
        reason = exc.msg.removesuffix(" at")
        problem = f"is not JSON ({reason} at line {exc.lineno}, column {exc.colno})"
        raise UntrustedJSONError(
            source, path_at(text, exc.pos), problem, decode_error=exc
        ) from None
    except RecursionError:  # the decoder recursed past the interpreter's limit: far too deep
        raise UntrustedJSONError(
            source, path_at(text, _too_deep_at(text, max_depth)), deep
        ) from None
    brackets = text.count("[") + text.count("{")
    if long_integers or brackets > max_depth or _MAYBE_SURROGATE.search(text):
        found = _first_problem(value, max_depth, max_int_digits)
        if found is not None:
            raise UntrustedJSONError(source, *found)
    return value


def _utf8_length(text: str, limit: int) -> int:
    if len(text) > limit or 4 * len(text) <= limit:
        return len(text)  # too large whatever its characters are, or small whatever they are
    return len(text.encode("utf-8", "surrogatepass"))


def _text(data: bytes | str, source: str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", "replace")
        problem = f"is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        raise UntrustedJSONError(source, path_at(before, len(before)), problem) from None


_Path = tuple[Any, str | int] | None  # (parent, step): a path built in O(1) per value


def _first_problem(value: Any, max_depth: int, max_int_digits: int) -> tuple[str, str] | None:
    """The path and problem of the first value too deep, too long an integer, or not text."""
    stack: list[tuple[Any, int, _Path]] = [(value, 0, None)]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, dict | list) and depth >= max_depth:
            return _path_text(path), f"nests deeper than {max_depth} levels"
        if isinstance(item, dict):
            for key in item:
                if _SURROGATE.search(key):
                    return _path_text(
                        path
                    ), "has a key holding a lone surrogate (half a UTF-16 pair)"
            stack.extend((v, depth + 1, (path, k)) for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((v, depth + 1, (path, i)) for i, v in reversed(list(enumerate(item))))
        elif isinstance(item, _LongInteger):
            digits = f"{item.digits:,} digits (at most {max_int_digits:,} are read)"
            return _path_text(path), f"is an integer of {digits}"
        elif isinstance(item, str) and _SURROGATE.search(item):
            return _path_text(
                path
            ), "holds a lone surrogate (half a UTF-16 pair), which is not text"
    return None


def _path_text(path: _Path) -> str:
    steps: list[str | int] = []
    while path is not None:
        path, step = path
        steps.append(step)
    return _shown(steps[::-1])


def _too_deep_at(text: str, max_depth: int) -> int:
    """Where the first bracket deeper than ``max_depth`` opens (strings skipped, in linear time)."""
    depth, index = 0, 0
    while (match := _STRUCTURE.search(text, index)) is not None:
        token, index = match.group(), match.end()
        if token == '"':
            rest = _STRING_REST.match(text, index)
            if rest is None:
                break  # an unterminated string: nothing after it is structure
            index = rest.end()
        elif token in "[{":
            depth += 1
            if depth > max_depth:
                return match.start()
        elif token in "]}":
            depth -= 1
    return len(text)


def path_at(text: str, position: int) -> str:
    """The JSON path of the value at ``position`` of ``text`` (which need not be valid JSON)."""
    steps: list[str | int | None] = []  # per open container: its key (None: awaiting one) or index
    objects: list[bool] = []
    index = 0
    while (match := _STRUCTURE.search(text, index, position)) is not None:
        token, index = match.group(), match.end()
        if token == '"':
            rest = _STRING_REST.match(text, index)
            if rest is None or rest.end() > position:
                break  # the position is inside this string
            if objects and objects[-1] and steps[-1] is None:
                steps[-1] = _key(text[match.start() : rest.end()])
            index = rest.end()
        elif token in "[{":
            steps.append(None if token == "{" else 0)
            objects.append(token == "{")
        elif token in "]}" and steps:
            steps.pop()
            objects.pop()
        elif token == "," and steps:
            last = steps[-1]
            steps[-1] = last + 1 if isinstance(last, int) else None
    known: list[str | int] = []
    for step in steps:
        if step is None:
            break  # an object awaiting its next key: the position is the object's
        known.append(step)
    return _shown(known)


def _key(literal: str) -> str:
    try:
        key = json.loads(literal)
    except ValueError:  # a bad escape: the key as written
        return literal[1:-1]
    return key if isinstance(key, str) else literal[1:-1]


def child_path(path: str, key: str | int) -> str:
    """The JSON path of ``key`` inside the value at ``path``: ``$.checks``, ``$.checks[3]``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _NAME.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


def _shown(steps: list[str | int]) -> str:
    if len(steps) <= _SHOWN_STEPS:
        return _joined("$", steps)
    head, tail = steps[: _SHOWN_STEPS - 2], steps[-2:]
    elided = len(steps) - len(head) - len(tail)
    return _joined(_joined("$", head) + f"…({elided} more levels)…", tail)


def _joined(path: str, steps: list[str | int]) -> str:
    for step in steps:
        path = child_path(path, step)
    return path


# -- reading a parsed document -------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """One value of a parsed untrusted document and where it sits, read with its type checked."""

    value: Any
    source: str
    path: str = "$"

    def error(self, problem: str) -> UntrustedJSONError:
        """``UntrustedJSONError`` about this value."""
        return UntrustedJSONError(self.source, self.path, problem)

    def _expected(self, kind: str) -> UntrustedJSONError:
        return self.error(f"is {describe(self.value)}, not {kind}")

    def mapping(self) -> dict[str, Any]:
        """The value, an object."""
        if not isinstance(self.value, dict):
            raise self._expected("an object")
        return self.value

    def get(self, key: str) -> Node | None:
        """The field ``key`` of this object, or None when it is absent."""
        data = self.mapping()
        return Node(data[key], self.source, child_path(self.path, key)) if key in data else None

    def field(self, key: str) -> Node:
        """The field ``key`` of this object; an error naming it when it is absent."""
        node = self.get(key)
        if node is None:
            raise UntrustedJSONError(self.source, child_path(self.path, key), "is missing")
        return node

    def items(self) -> list[Node]:
        """The items of this array."""
        if not isinstance(self.value, list):
            raise self._expected("an array")
        return [Node(v, self.source, child_path(self.path, i)) for i, v in enumerate(self.value)]

    def entries(self) -> list[tuple[str, Node]]:
        """The fields of this object, in order."""
        return [
            (key, Node(v, self.source, child_path(self.path, key)))
            for key, v in self.mapping().items()
        ]

    def string(self) -> str:
        """The value, a string."""
        if not isinstance(self.value, str):
            raise self._expected("a string")
        return self.value

    def boolean(self) -> bool:
        """The value, true or false."""
        if not isinstance(self.value, bool):
            raise self._expected("true or false")
        return self.value

    def integer(self) -> int:
        """The value, an integer of at most 64 bits (a JSON true is not one)."""
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self._expected("an integer")
        if abs(self.value) > MAX_INTEGER:
            raise self.error(f"is an integer beyond 64 bits ({describe(self.value)})")
        return self.value

    def number(self) -> float:
        """The value, a finite number."""
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise self._expected("a number")
        try:
            number = float(self.value)
        except OverflowError:
            raise self.error(f"is {describe(self.value)}, beyond the range of a number") from None
        if not math.isfinite(number):
            raise self.error(f"is {describe(self.value)}, not a finite number")
        return number


def describe(value: Any) -> str:
    """A JSON value as a message shows it: ``the string 'abc'``, ``an array``, ``null``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and abs(value) > 10**30:
        return f"an integer of {value.bit_length()} bits"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return f"the string {shown!r}"
    return "an array" if isinstance(value, list) else "an object"

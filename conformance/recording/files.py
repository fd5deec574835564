"""The cassette files: one ordinary vcrpy cassette per check case, and vcrpy's request model.

The files are vcrpy cassettes (``version: 1``; vcrpy's ``Request``, ``Cassette`` and matcher
protocol; YAML that its safe loader reads, multi-line text written as literal blocks). A response
entry adds four optional keys to vcrpy's: ``body.chunks`` (an SSE body as the list of chunks as
they arrived, replayed chunk for chunk), ``error`` (the transport error that ended the exchange:
before any answer when ``status.code`` is 0, else mid-stream), ``note``, and ``echoed`` (where
the answer spelled a credential of the run: the places, never the value). Every file is
published through the run's ``Publisher``: staged, scanned once more for a surviving secret,
and moved into place only when clean.

A cassette is read as untrusted input: at most ``MAX_CASSETTE_BYTES``, with a safe loader that
constructs plain data only and counts, while it composes the document, the aliases, the nodes they
expand to and the nesting depth, so that a YAML alias bomb (a kilobyte that expands to billions of
nodes) is one ``CassetteError`` naming the file before anything expands.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import httpx
import yaml
from vcr.request import Request as VcrRequest
from vcr.serialize import serialize
from vcr.serializers import compat

from ..config.recording import RERECORD
from ..core.errors import CassetteError
from ..core.publish import Publication, Publisher
from ..core.redaction import redact_tree
from ..core.untrusted import MiB, read_at_most
from .match import ASPECTS, RequestView
from .meta import cassette_problem
from .scrub import Headers, Scrubber, body_length, request_headers

Exchange = tuple[Any, dict[str, Any]]  # (vcr.request.Request, vcrpy response dict)


# -- requests --------------------------------------------------------------------------------


def header_lists(items: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Headers as vcrpy stores them: name → list of values."""
    out: dict[str, list[str]] = {}
    for name, value in items:
        out.setdefault(name, []).append(value)
    return out


def scrubbed_request(request: httpx.Request, scrubber: Scrubber) -> Any:
    """``request`` as a scrubbed vcrpy ``Request`` (what is stored, and what is matched)."""
    body = scrubber.body(request.read())
    headers: Headers = scrubber.headers(request.headers.multi_items())
    headers = request_headers(headers, body_length(body))
    return VcrRequest(request.method, scrubber.url(str(request.url)), body, header_lists(headers))


def view_of(
    request: Any, where: str = "", *, own: bool = False, played: bool = False
) -> RequestView:
    """A vcrpy ``Request`` as ``cassette_match`` compares it."""
    body = request.body
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else str(body or "")
    headers = {str(k).lower(): str(v) for k, v in request.headers.items()}
    return RequestView(request.method, request.uri, headers, text, where, own, played)


def _matcher(
    aspect: Callable[[RequestView, RequestView], str | None],
) -> Callable[[Any, Any], None]:
    def match(sent: Any, recorded: Any) -> None:
        difference = aspect(view_of(sent), view_of(recorded))
        if difference is not None:
            raise AssertionError(difference)

    match.__name__ = aspect.__name__
    return match


# vcrpy matchers over the scrubbed requests: method, path, query, credential header, anthropic-*
# headers, JSON body. Host, credential values and x-ms-client-request-id never decide.
MATCHERS = tuple(_matcher(aspect) for aspect in ASPECTS)


# -- files -----------------------------------------------------------------------------------


class _ReadableDumper(yaml.SafeDumper):  # type: ignore[misc]
    """vcrpy's YAML, but multi-line text (an SSE chunk, a pretty body) as a literal block."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ReadableDumper.add_representer(str, _represent_text)


# A cassette holds one check case's exchanges: a few KB, a few MB with the emulator's 5 MB
# huge-body fault. 64 MiB is far past any of them, and still reads in about a second.
MAX_CASSETTE_BYTES = 64 * MiB
# The harness's writer emits an alias only where one object appears twice, which its entries never
# do (no recorded set has one); a hand-merged file may have a few. A thousand is a file this
# harness did not write.
MAX_CASSETTE_ALIASES = 1000
# The nodes that aliases add when expanded, as any reader that walks the data meets them (the
# file's own nodes are bounded by its size). A harness cassette adds none; a few aliases of
# copied headers add hundreds. A billion-laughs bomb passes a million within a few dozen aliases
# of its kilobyte, and is stopped there, before anything is expanded.
MAX_CASSETTE_EXPANSION = 1_000_000
# A recorded cassette nests 7 levels (interactions, response, headers, values); 64 leaves room and
# keeps PyYAML's recursive constructor far from the interpreter's recursion limit.
MAX_CASSETTE_DEPTH = 64

# libyaml's scanner and parser when PyYAML has them (fast), PyYAML's own otherwise.
_SafeBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CassetteBudgetError(yaml.YAMLError):  # type: ignore[misc]
    """A cassette whose YAML breaks a budget of ``_BoundedLoader`` (what it is, in words)."""


class _BoundedLoader(yaml.composer.Composer, _SafeBase):  # type: ignore[misc]
    """A safe loader (plain data only: no Python objects) whose composer keeps budgets.

    The composer is PyYAML's own (``yaml.composer``), run over the events of the C parser; it
    counts the aliases, the nodes they add when expanded (an alias adds as many as the node it
    names holds, known once that node is complete) and the depth, and stops at the first budget
    broken, before the constructor or any reader could expand a thing.
    """

    def __init__(self, stream: str) -> None:
        _SafeBase.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        self.aliases = 0
        self._nodes = 0  # of the document so far, expanded
        self._expansion = 0  # of those, the nodes aliases added
        self._depth = 0
        self._weights: dict[str, int] = {}  # anchor → nodes of its node, expanded

    def compose_node(self, parent: Any, index: Any) -> Any:
        """One node of the document, within the budgets."""
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            anchor = event.anchor
            if anchor not in self.anchors:
                problem = f"found undefined alias {anchor!r}"
                raise yaml.composer.ComposerError(None, None, problem, event.start_mark)
            self.aliases += 1
            if self.aliases > MAX_CASSETTE_ALIASES:
                self._refuse(f"it uses {{aliases}} YAML aliases (limit {MAX_CASSETTE_ALIASES})")
            if anchor not in self._weights:
                self._refuse(f"a YAML alias (*{anchor}) refers to the node it is inside, a loop")
            weight = self._weights.get(anchor, 1)
            self._nodes += weight
            self._expansion += weight
            if self._expansion > MAX_CASSETTE_EXPANSION:
                limit = f"{MAX_CASSETTE_EXPANSION:,}"
                self._refuse(f"it uses {{aliases}} YAML aliases that expand to over {limit} nodes")
            return self.anchors[anchor]
        self._depth += 1
        if self._depth > MAX_CASSETTE_DEPTH:
            self._refuse(f"its YAML nests deeper than {MAX_CASSETTE_DEPTH} levels")
        anchor = self.peek_event().anchor
        before = self._nodes
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._nodes += 1
        if anchor is not None:
            self._weights[anchor] = self._nodes - before
        return node

    def _refuse(self, problem: str) -> NoReturn:
        """Stop composing; ``problem`` may say how many aliases the whole file uses."""
        # The rest of the file is only parsed, not composed, to count its aliases: cheap.
        with contextlib.suppress(yaml.YAMLError):  # broken further on: the count so far
            while not self.check_event(yaml.StreamEndEvent):
                self.aliases += isinstance(self.get_event(), yaml.AliasEvent)
        reason = problem.replace("{aliases}", str(self.aliases))
        raise CassetteBudgetError(f"{reason}: it is not a cassette this harness wrote")


def _construct_tuple(loader: Any, node: Any) -> tuple[Any, ...]:
    return tuple(loader.construct_sequence(node))


# The benign Python tags vcrpy's own writer uses (text and tuples), constructed as plain data;
# every other ``!!python/`` tag stays refused, as in any safe loader.
_BoundedLoader.add_constructor("tag:yaml.org,2002:python/str", _BoundedLoader.construct_yaml_str)
_BoundedLoader.add_constructor(
    "tag:yaml.org,2002:python/unicode", _BoundedLoader.construct_yaml_str
)
_BoundedLoader.add_constructor("tag:yaml.org,2002:python/tuple", _construct_tuple)


class _Serializer:
    """vcrpy's serializer interface: a bounded safe loader to read, literal blocks to write."""

    @staticmethod
    def deserialize(text: str) -> Any:
        """Parse a cassette: plain data only, within the alias, node and depth budgets."""
        loader = _BoundedLoader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()

    @staticmethod
    def serialize(data: Any) -> str:
        """Dump a cassette: standard YAML that vcrpy itself reads."""
        # Never folded: a request ID stays greppable, and a secret can never be split across
        # lines where the after-run scan would miss it.
        text: str = yaml.dump(data, Dumper=_ReadableDumper, width=1 << 16, allow_unicode=True)
        return text


SERIALIZER = _Serializer()


def write_cassette(
    path: Path, interactions: Sequence[Exchange], scrubber: Scrubber, publisher: Publisher
) -> Publication:
    """Serialize with vcrpy and publish: staged, scanned, and (should a secret have survived
    scrubbing) redacted in its parsed form and scanned again, or withheld."""
    text: str = serialize(
        {"requests": [r for r, _ in interactions], "responses": [e for _, e in interactions]},
        SERIALIZER,
    )

    def redact(written: str) -> str | None:
        data = SERIALIZER.deserialize(written)
        return SERIALIZER.serialize(redact_tree(data, scrubber.text))

    def readable(written: str) -> bool:
        try:
            return cassette_problem(SERIALIZER.deserialize(written)) is None
        except yaml.YAMLError:
            return False

    return publisher.publish(path, text, redact=redact, readable=readable)


def read_cassette(path: Path) -> list[Exchange]:
    """The interactions of a cassette file; ``CassetteError`` naming the file if unreadable."""
    try:
        raw = read_at_most(path, MAX_CASSETTE_BYTES)
    except OSError as exc:
        raise _unreadable(path, f"it cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_CASSETTE_BYTES:
        too_large = f"it is more than {MAX_CASSETTE_BYTES // MiB} MiB, far more than any recording"
        raise _unreadable(path, too_large)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _unreadable(path, "it is not UTF-8 text") from None
    try:
        data = SERIALIZER.deserialize(text)
    except CassetteBudgetError as exc:
        raise CassetteError(
            f"The cassette {path} cannot be replayed: {exc}. Re-record the set ({RERECORD})."
        ) from None
    except Exception as exc:  # PyYAML's errors; the file is what is wrong, whatever the class
        raise _unreadable(path, _yaml_problem(exc)) from None
    problem = cassette_problem(data)
    if problem:
        raise _unreadable(path, problem)
    return [
        (
            VcrRequest(
                item["request"]["method"],
                item["request"]["uri"],
                item["request"].get("body"),
                item["request"]["headers"],
            ),
            compat.convert_to_bytes(item["response"]),
        )
        for item in data["interactions"]
    ]


def _yaml_problem(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or type(exc).__name__
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return f"it is not valid YAML ({problem}{where})"


def _unreadable(path: Path, problem: str) -> CassetteError:
    return CassetteError(
        f"The cassette {path} cannot be replayed: {problem}. It may be truncated or edited by "
        f"hand; re-record the set ({RERECORD}), or restore the file from version control."
    )

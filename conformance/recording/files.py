"""The cassette files: one ordinary vcrpy cassette per check case, and vcrpy's request model.

The files are vcrpy cassettes (``version: 1``; vcrpy's ``Request``, ``Cassette`` and matcher
protocol; YAML that its safe loader reads, multi-line text written as literal blocks). A response
entry adds three optional keys to vcrpy's: ``body.chunks`` (an SSE body as the list of chunks as
they arrived, replayed chunk for chunk), ``error`` (the transport error that ended the exchange:
before any answer when ``status.code`` is 0, else mid-stream) and ``note``. Every file is checked
once more for a surviving secret before it is written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import httpx
import yaml
from vcr.request import Request as VcrRequest
from vcr.serialize import serialize
from vcr.serializers import compat, yamlserializer

from ..config.recording import RERECORD
from ..core.errors import CassetteError
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


class _Serializer:
    """vcrpy's serializer interface: its safe loader to read, unwrapped literal blocks to write."""

    @staticmethod
    def deserialize(text: str) -> Any:
        """Parse a cassette with vcrpy's safe loader."""
        return yamlserializer.deserialize(text)

    @staticmethod
    def serialize(data: Any) -> str:
        """Dump a cassette: standard YAML that vcrpy itself reads."""
        # Never folded: a request ID stays greppable, and a secret can never be split across
        # lines where the after-run scan would miss it.
        text: str = yaml.dump(data, Dumper=_ReadableDumper, width=1 << 16, allow_unicode=True)
        return text


SERIALIZER = _Serializer()


def write_cassette(path: Path, interactions: Sequence[Exchange], scrubber: Scrubber) -> None:
    """Serialize with vcrpy, refuse if any secret survived scrubbing, write atomically."""
    text: str = serialize(
        {"requests": [r for r, _ in interactions], "responses": [e for _, e in interactions]},
        SERIALIZER,
    )
    if scrubber.leaks([text]):
        # Never reached while scrubbing works; if it does not, nothing is written at all.
        raise CassetteError(
            f"refusing to write {path}: a secret survived scrubbing; nothing was written "
            "(please report this to the foundry-conformance maintainers)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, "utf-8")
    os.replace(temporary, path)


def read_cassette(path: Path) -> list[Exchange]:
    """The interactions of a cassette file; ``CassetteError`` naming the file if unreadable."""
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError:
        raise _unreadable(path, "it is not UTF-8 text") from None
    try:
        data = SERIALIZER.deserialize(text)
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

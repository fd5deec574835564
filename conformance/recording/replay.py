"""``--mode replay``: every request is answered from the cassette of the case that sent it.

There is no inner transport: a request that no cassette answers raises ``CassetteMiss`` with the
nearest recorded request and what differs (``cassette_match``), and fails the check that sent it;
nothing is ever sent. A cassette is read when its case first sends, so a corrupt file fails only
the checks that need it, each with a message naming the file and the fix.

A replayed answer is played as recorded — status, headers, the body chunk for chunk, a transport
error where one ended the exchange — with one transform, as Azure's test proxy does: a response
that echoed the recorded ``x-ms-client-request-id`` echoes the replayed request's instead. Where
the recorded answer spelled a credential (``echoed``), the places travel to the seam in the
response's extensions, so that the replay finds ``credential-echoed`` too.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
from vcr.cassette import Cassette
from vcr.errors import UnhandledHTTPRequestError
from vcr.record_mode import RecordMode

from ..config.recording import CASSETTE_SUFFIX, Recording
from ..core.echo import ECHO_EXTENSION, recorded_places
from ..core.errors import CassetteError, CassetteMiss
from ..core.interactions import CLIENT_REQUEST_ID_HEADER, current_tag
from . import CassetteTransport
from .files import MATCHERS, Exchange, read_cassette, scrubbed_request, view_of
from .match import RequestView, miss_message, nearest_recorded
from .meta import cassette_name
from .scrub import Scrubber


class _Cassette:
    """One case's cassette while replaying: vcrpy's ``Cassette`` keeps what was played."""

    def __init__(self, path: Path, interactions: list[Exchange]) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.vcr = Cassette(str(path), match_on=MATCHERS, record_mode=RecordMode.NONE)
        for request, response in interactions:
            self.vcr.append(request, response)

    def views(self, *, own: bool) -> list[RequestView]:
        """The recorded requests, as the miss message ranks them."""
        return [
            view_of(
                request, f"{self.path.name} #{i + 1}", own=own, played=self.vcr.play_counts[i] > 0
            )
            for i, (request, _) in enumerate(self.vcr.data)
        ]

    def unplayed(self) -> int:
        """How many recorded interactions were never asked for."""
        return sum(self.vcr.play_counts[i] == 0 for i in range(len(self.vcr.data)))


class ReplayCassettes(CassetteTransport):
    """Answers each request from its case's cassette; never touches the network."""

    def __init__(self, directory: Path, scrubber: Scrubber, recording: Recording | None) -> None:
        self.directory = directory
        self.scrubber = scrubber
        self.recording = recording
        self._lock = threading.Lock()
        self._cassettes: dict[str, _Cassette] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """The recorded answer to ``request``, or ``CassetteMiss`` saying why there is none."""
        tag = current_tag()
        name = cassette_name(tag.check_id, tag.case, self.scrubber.redactor)
        cassette = self._load(name)
        sent = scrubbed_request(request, self.scrubber)
        with cassette.lock:
            try:
                entry = cassette.vcr.play_response(sent)
            except UnhandledHTTPRequestError:
                entry = None
            recorded = next((r for r, e in cassette.vcr.data if e is entry), None)
        if entry is None:
            raise self._miss(name, cassette, sent)
        return _replayed(entry, request, recorded)

    def notes(self) -> list[str]:
        """The recorded interactions nobody asked for. (The requests no cassette answered are
        the run's ``unrecorded`` interactions: the summary says what they cut short.)"""
        with self._lock:
            cassettes = dict(self._cassettes)
        unplayed = {name: c.unplayed() for name, c in cassettes.items() if c.unplayed()}
        if not unplayed:
            return []
        listed = ", ".join(f"{name} ({n})" for name, n in sorted(unplayed.items()))
        return [
            f"{sum(unplayed.values())} recorded interactions were not replayed: {listed}. "
            "The checks sent fewer requests than when recording."
        ]

    def _load(self, name: str) -> _Cassette:
        with self._lock:
            cassette = self._cassettes.get(name)
            if cassette is None:
                path = self.directory / name
                interactions = read_cassette(path) if path.is_file() else []
                cassette = _Cassette(path, interactions)
                self._cassettes[name] = cassette
        return cassette

    def _miss(self, name: str, own: _Cassette, sent: Any) -> CassetteMiss:
        """A request no cassette answers: the one-paragraph message, and what the recording
        lacks in one sentence."""
        candidates = own.views(own=True)
        for path in sorted(self.directory.glob("*" + CASSETTE_SUFFIX)):
            if path.name == name:
                continue
            try:
                candidates += self._load(path.name).views(own=False)
            except CassetteError:
                continue  # its own checks report it; it cannot be the nearest here
        where, why = str(own.path), nearest_recorded(view_of(sent), candidates)
        if not own.path.is_file():
            why = self._why_no_file(name)
            where += f" ({why})"
        label = name.removesuffix(CASSETTE_SUFFIX)
        return CassetteMiss(miss_message(label, view_of(sent), where, candidates), why)

    def _why_no_file(self, name: str) -> str:
        case = self.recording.cases.get(name) if self.recording is not None else None
        if not case or not case.get("status"):
            return "no such file: this case was not recorded"
        reason = f": {case['reason']}" if case.get("reason") else ""
        if case["status"] == "skipped":
            return f"no such file: this case was skipped when recording{reason}"
        return f"no such file, though this case ended {case['status']} when recording: deleted?"


class _ReplayStream(httpx.SyncByteStream):
    """The recorded body, chunk by chunk, then the recorded transport error if there was one."""

    def __init__(
        self, chunks: list[bytes], error: Mapping[str, str] | None, request: httpx.Request
    ) -> None:
        self._chunks = chunks
        self._error = error
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks
        if self._error is not None:
            raise _transport_error(self._error, self._request)


def _replayed(entry: dict[str, Any], request: httpx.Request, recorded: Any) -> httpx.Response:
    """An httpx response that plays ``entry``."""
    error = entry.get("error")
    status = entry["status"]
    if error is not None and status["code"] == 0:
        raise _transport_error(error, request)
    headers = [
        (name, str(value))
        for name, values in entry["headers"].items()
        for value in (values if isinstance(values, list) else [values])
    ]
    headers = _echo_client_request_id(headers, request, recorded)
    body = entry["body"]
    if body.get("chunks") is not None:
        chunks = [chunk.encode("utf-8") for chunk in body["chunks"]]
    else:
        raw = body.get("string") or b""
        chunks = [raw if isinstance(raw, bytes) else str(raw).encode("utf-8")]
    reason = str(status.get("message") or "").encode("ascii", errors="replace")
    # Where the recorded answer spelled a credential: the seam reports it as the live run did.
    echoed = recorded_places(entry.get("echoed"))
    return httpx.Response(
        status["code"],
        headers=headers,
        stream=_ReplayStream([c for c in chunks if c], error, request),
        request=request,
        extensions={"reason_phrase": reason, ECHO_EXTENSION: echoed},
    )


def _echo_client_request_id(
    headers: list[tuple[str, str]], request: httpx.Request, recorded: Any
) -> list[tuple[str, str]]:
    was = recorded.headers.get(CLIENT_REQUEST_ID_HEADER) if recorded is not None else None
    now = request.headers.get(CLIENT_REQUEST_ID_HEADER)
    if not was or not now:
        return headers
    return [
        (name, now if name.lower() == CLIENT_REQUEST_ID_HEADER and value == was else value)
        for name, value in headers
    ]


def _transport_error(error: Mapping[str, str], request: httpx.Request) -> httpx.TransportError:
    """The recorded transport error, as the httpx class of the same name."""
    cls = getattr(httpx, str(error.get("class")), None)
    message = str(error.get("message", ""))
    if isinstance(cls, type) and issubclass(cls, httpx.TransportError):
        return cls(message, request=request)
    return httpx.TransportError(message, request=request)

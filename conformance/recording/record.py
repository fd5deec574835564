"""``--mode record``: every exchange goes live through ``inner`` and is filed, scrubbed, in the
cassette of the case that sent it; ``metadata.json`` is written at the start and completed with
the verdict at the end.

The checks see the live answer untouched, as it arrives; the cassette gets a decoded, scrubbed
copy once the body is complete (or broken off: a mid-stream transport error is recorded too),
with the places where the answer spelled a credential of the run (``echoed``), so that a replay
finds ``credential-echoed`` as the live run did. Each cassette is rewritten after every
completed exchange, so an interrupted recording still leaves readable files; every write goes
through the run's ``Publisher`` (staged, scanned, then moved into place).

The recording owns only the files its ``metadata.json`` lists — each is listed before it is
first written — so that a new recording into the same directory replaces exactly those, and
never a file someone else put there (``config.recording.check_record_directory`` refuses such
a directory unless ``--overwrite`` is given).
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx

from ..config import Settings
from ..config.recording import METADATA_FILE
from ..core.echo import TRANSPORT_ERROR, where_echoed
from ..core.interactions import current_tag
from ..core.publish import Publisher
from ..core.redaction import redact_tree
from . import CassetteTransport, RunOutcome
from .files import Exchange, header_lists, scrubbed_request, write_cassette
from .meta import cassette_name, new_metadata, previous_cassettes
from .scrub import Scrubber, body_length, decode_chunks, response_headers, split_events

Done = Callable[[list[bytes], BaseException | None], None]
HARNESS_PACKAGES = {"anthropic_sdk": "anthropic", "vcrpy": "vcrpy"}


class _Cassette:
    """One case's cassette while recording: interactions in the order they were sent."""

    def __init__(self, path: Path, check_id: str | None, case: str | None) -> None:
        self.path = path
        self.check_id = check_id
        self.case = case
        self.lock = threading.Lock()
        self.slots: list[Exchange | None] = []


class RecordCassettes(CassetteTransport):
    """Sends through ``inner`` and records each exchange into its case's cassette."""

    def __init__(
        self,
        directory: Path,
        scrubber: Scrubber,
        settings: Settings,
        started_at: datetime,
        inner: httpx.BaseTransport | None = None,
        publisher: Publisher | None = None,
    ) -> None:
        self.directory = directory
        self.scrubber = scrubber
        self.publisher = publisher if publisher is not None else Publisher(scrubber.redactor)
        self._inner = inner if inner is not None else httpx.HTTPTransport()
        self._lock = threading.Lock()
        self._cassettes: dict[str, _Cassette] = {}
        harness = {name: _version(package) for name, package in HARNESS_PACKAGES.items()}
        base_url = scrubber.url(settings.base_url or "")
        self.metadata = new_metadata(settings, base_url, started_at, harness)

    def start(self) -> None:
        """Replace an earlier recording in the directory (the files its metadata lists, no
        other) and write the first metadata."""
        for stale in previous_cassettes(self.directory):
            stale.unlink(missing_ok=True)
        with self._lock:
            self._write_metadata()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` live; file the exchange once its body is complete."""
        cassette = self._cassette_for_current_case()
        recorded = scrubbed_request(request, self.scrubber)
        with cassette.lock:
            slot = len(cassette.slots)
            cassette.slots.append(None)

        def store(entry: dict[str, Any]) -> None:
            with cassette.lock:
                cassette.slots[slot] = (recorded, entry)
                done = [item for item in cassette.slots if item is not None]
                write_cassette(cassette.path, done, self.scrubber, self.publisher)

        try:
            response = self._inner.handle_request(request)
        except httpx.HTTPError as exc:
            store(self._failure(exc))
            raise
        status, reason = response.status_code, response.reason_phrase
        headers = response.headers.multi_items()
        if response.is_closed:
            # Mock transports hand back a response already read, and its content decoded.
            plain = [(k, v) for k, v in headers if k.lower() != "content-encoding"]
            store(self._entry(status, reason, plain, [response.content], None))
            return response

        def done(chunks: list[bytes], error: BaseException | None) -> None:
            store(self._entry(status, reason, headers, chunks, error))

        response.stream = _TeeStream(response.stream, done)
        return response

    def close(self) -> None:
        """Close the live transport."""
        self._inner.close()

    def finish(self, outcome: RunOutcome) -> None:
        """Complete ``metadata.json`` with the verdict, the token scopes and every case."""
        cases: dict[str, dict[str, Any]] = {}
        redactor = self.scrubber.redactor
        for case in outcome.cases:
            cases[cassette_name(case.check_id, case.case, redactor)] = {
                "check": case.check_id,
                "case": case.case,
                "status": case.status,
                "reason": case.reason,
                "diagnoses": list(case.diagnoses),
            }
        with self._lock:
            cassettes = dict(self._cassettes)
        for name, cassette in cassettes.items():
            entry = cases.setdefault(name, {"check": cassette.check_id, "case": cassette.case})
            entry["interactions"] = sum(item is not None for item in cassette.slots)
        with self._lock:
            self.metadata.update(
                finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
                verdict=outcome.verdict,
                counts=dict(outcome.counts),
                token_scopes=dict(outcome.token_scopes),
                cases=dict(sorted(cases.items())),
            )
            self._write_metadata()

    def _cassette_for_current_case(self) -> _Cassette:
        tag = current_tag()
        name = cassette_name(tag.check_id, tag.case, self.scrubber.redactor)
        with self._lock:
            cassette = self._cassettes.get(name)
            if cassette is None:
                cassette = _Cassette(self.directory / name, tag.check_id, tag.case)
                self._cassettes[name] = cassette
                # Listed before it is first written: the recording owns it from now on.
                self.metadata["files"] = sorted({*self.metadata["files"], name})
                self._write_metadata()
        return cassette

    def _entry(
        self,
        status: int,
        reason: str,
        raw_headers: list[tuple[str, str]],
        chunks: list[bytes],
        error: BaseException | None,
    ) -> dict[str, Any]:
        """The vcrpy response entry: decoded, scrubbed, lengths fixed, SSE kept chunk by chunk."""
        scrub = self.scrubber
        lowered = {name.lower(): value for name, value in raw_headers}
        entry: dict[str, Any] = {"status": {"code": status, "message": scrub.text(reason)}}
        encoding = lowered.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            decoded = _decode(b"".join(chunks), encoding)
            if decoded is None:
                entry["note"] = f"body not kept: it could not be decoded from {encoding}"
            chunks = [decoded] if decoded else []
        body: dict[str, Any] = {}
        texts = (
            decode_chunks(chunks)
            if "text/event-stream" in lowered.get("content-type", "")
            else None
        )
        raw_text = "".join(texts) if texts is not None else _as_text(b"".join(chunks))
        echoed = where_echoed(
            scrub.redactor,
            reason=reason,
            headers=raw_headers,
            body=raw_text,
            stream=texts is not None,
        )
        if texts is not None:
            if encoding not in ("", "identity"):
                texts = split_events("".join(texts))  # boundaries did not survive compression
            body["chunks"] = scrub.chunks(texts)
            body["string"] = "".join(body["chunks"])
        else:
            body["string"] = scrub.body(b"".join(chunks))
        headers = response_headers(scrub.headers(raw_headers), body_length(body["string"]))
        entry.update(headers=header_lists(headers), body=body)
        if error is not None:
            entry["error"] = {"class": type(error).__name__, "message": scrub.text(str(error))}
            if scrub.redactor.contains_secret(str(error)):
                echoed = (*echoed, TRANSPORT_ERROR)
        if echoed:
            entry["echoed"] = list(echoed)
        return entry

    def _failure(self, exc: httpx.HTTPError) -> dict[str, Any]:
        """The entry of an exchange that got no HTTP answer at all."""
        return {
            "status": {"code": 0, "message": "no HTTP answer"},
            "headers": {},
            "body": {"string": ""},
            "error": {"class": type(exc).__name__, "message": self.scrubber.text(str(exc))},
        }

    def _write_metadata(self) -> None:
        """Publish the metadata as it stands (the caller holds the lock)."""
        document = redact_tree(copy.deepcopy(self.metadata), self.scrubber.text)
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        self.publisher.publish(self.directory / METADATA_FILE, text)


class _TeeStream(httpx.SyncByteStream):
    """Hands the live body on chunk by chunk, keeping a copy for the cassette."""

    def __init__(self, inner: httpx.SyncByteStream | httpx.AsyncByteStream, done: Done) -> None:
        self._inner = inner
        self._done = done
        self._chunks: list[bytes] = []
        self._finished = False

    def __iter__(self) -> Iterator[bytes]:
        if not isinstance(self._inner, httpx.SyncByteStream):
            raise TypeError("cassettes serve synchronous clients only")
        try:
            for chunk in self._inner:
                self._chunks.append(chunk)
                yield chunk
        except httpx.HTTPError as exc:
            self._finish(exc)
            raise
        self._finish(None)

    def close(self) -> None:
        """Close the live body, and file what was read of it."""
        try:
            if isinstance(self._inner, httpx.SyncByteStream):
                self._inner.close()
        finally:
            self._finish(None)  # a body the client stopped reading is kept as far as it got

    def _finish(self, error: BaseException | None) -> None:
        if not self._finished:
            self._finished = True
            self._done(self._chunks, error)


def _decode(raw: bytes, encoding: str) -> bytes | None:
    """``raw`` decoded from its ``content-encoding`` with httpx's own decoders, or None."""
    try:
        return httpx.Response(200, headers={"content-encoding": encoding}, content=raw).read()
    except httpx.DecodingError:
        return None


def _as_text(raw: bytes) -> str:
    """A body as the echo check reads it: UTF-8 if it is, else byte for byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"

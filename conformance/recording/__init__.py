"""Record and replay: vcrpy cassettes behind the seam, one cassette per check case.

``open_cassettes`` is the one door: in ``--mode record`` and ``--mode replay`` the target puts the
transport it returns under the recording seam. Each request is filed by the check case that sent
it (the ``case`` of the request's tag, a context variable), not by vcrpy's process-wide patching,
so that cases running concurrently in threads each read and write their own cassette::

    cassettes/<label>/metadata.json               when, against what, how, with what verdict
    cassettes/<label>/AUTH-BAD-KEY[api-key].yaml  the interactions of one check case
    cassettes/<label>/_session_primary-auth.yaml  requests the session made outside any check

Everything is scrubbed before it is written (``scrub``); a replay has no inner transport at all,
so no request can fall through to the network, and a request that is not recorded names the
nearest recorded one (``match``). vcrpy is imported only when a record or replay run opens its
cassettes: a normal run never loads it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from ..config import Mode, Settings
from ..core.publish import Publisher
from ..core.redaction import Redactor
from .scrub import Scrubber, resource_hosts


@dataclass(frozen=True)
class RecordedCase:
    """How one check case of a recorded run ended, for ``metadata.json``."""

    check_id: str
    case: str
    status: str
    reason: str
    diagnoses: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunOutcome:
    """What a recording keeps of the run's outcome: its verdict, counts and cases."""

    verdict: str
    counts: Mapping[str, int]
    cases: Sequence[RecordedCase] = ()
    token_scopes: Mapping[str, str | None] = field(default_factory=dict)


class CassetteTransport(httpx.BaseTransport):
    """An httpx transport that records into, or plays from, the current case's cassette."""

    def notes(self) -> list[str]:
        """What the run's summary should say about the cassettes (a replay's misses)."""
        return []

    def finish(self, outcome: RunOutcome) -> None:
        """Called once the run is judged (a record run completes its ``metadata.json``)."""


def open_cassettes(
    settings: Settings,
    redactor: Redactor,
    *,
    started_at: datetime,
    inner: httpx.BaseTransport | None = None,
    publisher: Publisher | None = None,
) -> CassetteTransport:
    """The cassette transport for the run's mode (record: around ``inner``, publishing its files
    through ``publisher``; replay: alone)."""
    if settings.cassettes is None:
        raise RuntimeError("record and replay runs have a cassette directory")
    hosts = resource_hosts(settings.base_url, settings.resource) if settings.redact_resource else ()
    scrubber = Scrubber(redactor, hosts, settings.resource if settings.redact_resource else None)
    # Imported here, for their cost: vcrpy loads only in a run that records or replays.
    if settings.kind is Mode.REPLAY:
        from .replay import ReplayCassettes

        return ReplayCassettes(settings.cassettes, scrubber, settings.recording)
    from .record import RecordCassettes

    transport = RecordCassettes(
        settings.cassettes, scrubber, settings, started_at, inner, publisher
    )
    transport.start()
    return transport

"""What the configuration reads of a recorded cassette set: its ``metadata.json``.

A record run writes one vcrpy cassette per check case into the directory given by ``--cassettes``
and a ``metadata.json`` that says when, against what, with which options and harness, and with
what verdict it was recorded (``recording.meta`` writes it). A replay reads the metadata first —
before pytest starts, so that a missing or incompatible set is a configuration error (exit 2) and
nothing is sent — and takes the recording's options as its defaults (``config.replay``). A record
run refuses a directory that holds someone else's YAML.

Pure: plain files and JSON; no network, pytest or vcrpy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import __version__
from ..core.errors import CONFIG_MISSING, ConfigError
from .values import show_path

CASSETTES_FORMAT = "foundry-conformance.cassettes"
FORMAT_VERSION = 1
COMPATIBLE_FORMAT_VERSIONS = (1,)
METADATA_FILE = "metadata.json"
CASSETTE_SUFFIX = ".yaml"
DEFAULT_MAX_CASSETTE_AGE_DAYS = 30
RERECORD = "foundry-conformance run --mode record --cassettes DIR"


@dataclass(frozen=True)
class Recording:
    """What ``metadata.json`` says about a cassette set."""

    directory: Path
    format_version: int
    source: str
    recorded_at: datetime
    base_url: str
    resource: str | None = None
    deployments: tuple[str, ...] = ()
    auth_modes: tuple[str, ...] = ()
    entra_scope: str | None = None
    suite: str | None = None
    select: tuple[str, ...] = ()
    probe_rate_limit: bool = False
    # scope → None when a token was available when recording, else why it was not
    token_scopes: Mapping[str, str | None] = field(default_factory=dict)
    harness: Mapping[str, str] = field(default_factory=dict)
    verdict: str | None = None
    cases: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def age_days(self, now: datetime) -> float:
        """How many days ago the recording started."""
        return (now - self.recorded_at).total_seconds() / 86400

    def describe(self, now: datetime) -> str:
        """``recorded 2025-06-01T10:00:00+00:00 (3 days ago) from live at https://…``."""
        return (
            f"recorded {self.recorded_at.isoformat(timespec='seconds')} "
            f"({_age_text(self.age_days(now))}) from {self.source} at {self.base_url}"
        )


def _age_text(days: float) -> str:
    if days < 1:
        return "less than a day ago"
    return f"{int(days)} day{'s' if int(days) != 1 else ''} ago"


def read_recording(directory: Path) -> Recording:
    """The metadata of the cassette set in ``directory``; ``ConfigError`` with the fix if none."""
    if not directory.is_dir():
        raise ConfigError(
            f"--cassettes {show_path(directory)} does not exist (or is not a directory): a "
            "replay answers every request from a recorded cassette set, and there is none there.",
            f"Pass the directory a --mode record run wrote (it holds {METADATA_FILE} and one "
            f".yaml per check case), or record one: {RERECORD}.",
            source="--cassettes",
            code=CONFIG_MISSING,
        )
    path = directory / METADATA_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{show_path(directory)} holds no {METADATA_FILE}, so it is not a cassette set that "
            "foundry-conformance recorded (or the recording never started).",
            f"Record one there: {RERECORD}.",
            source="--cassettes",
            code=CONFIG_MISSING,
        ) from None
    except (ValueError, OSError) as exc:
        raise _corrupt(path, f"it is not readable JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != CASSETTES_FORMAT:
        raise _corrupt(path, f"it does not describe a {CASSETTES_FORMAT} set")
    version = data.get("format_version")
    harness: dict[str, Any] = data["harness"] if isinstance(data.get("harness"), dict) else {}
    if version not in COMPATIBLE_FORMAT_VERSIONS:
        recorded_by = str(harness.get("foundry_conformance", "an unknown version"))
        readable = ", ".join(str(v) for v in COMPATIBLE_FORMAT_VERSIONS)
        raise ConfigError(
            f"The cassettes in {show_path(directory)} have format_version {version!r} (recorded "
            f"by foundry-conformance {recorded_by}); this foundry-conformance ({__version__}) "
            f"replays format version {readable} only.",
            f"Re-record them with this version ({RERECORD}), or replay them with "
            f"foundry-conformance {recorded_by}.",
            source="--cassettes",
        )
    try:
        return _recording(directory, data, harness)
    except (KeyError, TypeError, ValueError) as exc:
        raise _corrupt(path, f"a field is missing or malformed ({exc})") from None


def _recording(directory: Path, data: dict[str, Any], harness: dict[str, Any]) -> Recording:
    endpoint = data["endpoint"]
    recorded_at = datetime.fromisoformat(str(data["recorded_at"]))
    if recorded_at.tzinfo is None:
        recorded_at = recorded_at.replace(tzinfo=UTC)
    return Recording(
        directory=directory,
        format_version=int(data["format_version"]),
        source=str(data.get("source", "live")),
        recorded_at=recorded_at,
        base_url=str(endpoint["base_url"]),
        resource=endpoint.get("resource"),
        deployments=tuple(str(d) for d in data.get("deployments", ())),
        auth_modes=tuple(str(m) for m in data.get("auth_modes", ())),
        entra_scope=data.get("entra_scope"),
        suite=data.get("suite"),
        select=tuple(str(s) for s in data.get("select", ())),
        probe_rate_limit=bool(data.get("probe_rate_limit", False)),
        token_scopes=dict(data.get("token_scopes") or {}),
        harness={str(k): str(v) for k, v in harness.items()},
        verdict=data.get("verdict"),
        cases=dict(data.get("cases") or {}),
    )


def _corrupt(path: Path, problem: str) -> ConfigError:
    return ConfigError(
        f"{show_path(path)} is corrupt: {problem}.",
        f"Re-record the cassette set ({RERECORD}); a set cannot be replayed without its metadata.",
        source="--cassettes",
    )


def age_warning(recording: Recording, now: datetime, max_age_days: int) -> str | None:
    """A warning when the recording is older than ``--max-cassette-age`` days."""
    age = recording.age_days(now)
    if age <= max_age_days:
        return None
    return (
        f"The cassettes in {recording.directory} were recorded {_age_text(age)} "
        f"({recording.recorded_at.isoformat(timespec='seconds')}), more than "
        f"--max-cassette-age {max_age_days} days: the endpoint may behave differently by now. "
        f"Re-record them against the endpoint ({RERECORD})."
    )


def check_record_directory(directory: Path) -> None:
    """``ConfigError`` unless ``directory`` can take a recording without clobbering other files."""
    if directory.exists() and not directory.is_dir():
        raise ConfigError(
            f"--cassettes {show_path(directory)} is a file, not a directory.",
            "Pass a new or empty directory (one cassette file per check case goes there).",
            source="--cassettes",
        )
    if not directory.is_dir() or (directory / METADATA_FILE).is_file():
        return  # new, or an earlier recording to replace
    if any(directory.glob("*" + CASSETTE_SUFFIX)):
        raise ConfigError(
            f"--cassettes {show_path(directory)} holds .yaml files but no {METADATA_FILE}: it is "
            "not a cassette set that foundry-conformance recorded, and recording would mix with "
            "them.",
            "Record into a new or empty directory (e.g. cassettes/<label>/).",
            source="--cassettes",
        )

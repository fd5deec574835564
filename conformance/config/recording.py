"""What the configuration reads of a recorded cassette set: its ``metadata.json``.

A record run writes one vcrpy cassette per check case into the directory given by ``--cassettes``
and a ``metadata.json`` that says when, against what, with which options and harness, and with
what verdict it was recorded (``recording.meta`` writes it). A replay reads the metadata first —
before pytest starts, so that a missing or incompatible set is a configuration error (exit 2) and
nothing is sent — and takes the recording's options as its defaults (``config.replay``). A record
run owns only the files its metadata lists: it refuses a directory that holds anything else
unless ``--overwrite`` is given, and replaces nothing but those files.

The metadata is read within bounds (``core.untrusted``) and every field it holds is type-checked,
so that a hand-edited or hostile file is one ``ConfigError`` naming the file and the JSON path of
the field, before anything is sent. Pure: plain files and JSON; no network, pytest or vcrpy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from .. import __version__
from ..core.durations import days_text, whole_days
from ..core.errors import CONFIG_MISSING, ConfigError
from ..core.publish import is_staging_name
from ..core.untrusted import MAX_FILE_BYTES, Node, UntrustedJSONError, parse_json, read_at_most
from .values import show_path

CASSETTES_FORMAT = "foundry-conformance.cassettes"
FORMAT_VERSION = 1
COMPATIBLE_FORMAT_VERSIONS = (1,)
METADATA_FILE = "metadata.json"
CASSETTE_SUFFIX = ".yaml"
DEFAULT_MAX_CASSETTE_AGE_DAYS = 30
RERECORD = "foundry-conformance run --mode record --cassettes DIR"
T = TypeVar("T")


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

    def age_days(self, now: datetime) -> int:
        """How many whole days ago the recording started (the rule the summary's age follows)."""
        return whole_days(self.recorded_at, now)

    def lacks_token(self, scope: str) -> str:
        """Why a replay of this recording has no Entra ID token for ``scope``, and how to get one
        recorded (the reason the recording run gave names its own environment, not the replay's)."""
        return (
            f"not recorded: these cassettes were recorded without an Entra ID token for {scope}, "
            "so they hold no request for this check; to replay it, re-record "
            f"({RERECORD}) with a credential that gets tokens for that scope too, such as "
            "DefaultAzureCredential after `az login` (--auth entra)"
        )

    def describe(self) -> str:
        """``recorded 2025-06-01T10:00:00+00:00 from live at https://…``; how long ago is the
        summary's to say (``target.recording_age_days``), so that every output says it alike."""
        return (
            f"recorded {self.recorded_at.isoformat(timespec='seconds')} from {self.source} at "
            f"{self.base_url}"
        )


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
        raw = read_at_most(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise ConfigError(
            f"{show_path(directory)} holds no {METADATA_FILE}, so it is not a cassette set that "
            "foundry-conformance recorded (or the recording never started).",
            f"Record one there: {RERECORD}.",
            source="--cassettes",
            code=CONFIG_MISSING,
        ) from None
    except OSError as exc:
        raise _corrupt(path, f"it is not readable ({exc})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise _corrupt(path, f"it is more than {MAX_FILE_BYTES:,} bytes, far more than a recording")
    try:
        data = parse_json(raw, source=show_path(path), max_bytes=MAX_FILE_BYTES)
    except UntrustedJSONError as exc:
        decode = exc.decode_error
        if decode is not None:
            problem = f"it is not readable JSON ({decode.msg}, line {decode.lineno}, at {exc.path})"
            raise _corrupt(path, problem) from None
        raise _corrupt(path, f"{exc.path} {exc.problem}") from None
    if not isinstance(data, dict) or data.get("format") != CASSETTES_FORMAT:
        raise _corrupt(path, f"it does not describe a {CASSETTES_FORMAT} set")
    version = data.get("format_version")
    if version not in COMPATIBLE_FORMAT_VERSIONS or isinstance(version, bool):
        harness = data.get("harness")
        recorded_by = harness.get("foundry_conformance") if isinstance(harness, dict) else None
        recorded_by = recorded_by if isinstance(recorded_by, str) else "an unknown version"
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
        return _recording(directory, Node(data, show_path(path)))
    except UntrustedJSONError as exc:
        problem = f"a field is missing or malformed: {exc.path} {exc.problem}"
        raise _corrupt(path, problem) from None


def _recording(directory: Path, doc: Node) -> Recording:
    """The ``Recording`` a metadata document describes, every field it holds type-checked."""
    endpoint = doc.field("endpoint")
    _optional(endpoint, "resource_redacted", Node.boolean)
    _optional(doc, "finished_at", Node.string)
    counts = doc.get("counts")
    if counts is not None and counts.value is not None:
        for _, count in counts.entries():
            count.integer()
    if (scrubbed := doc.get("scrubbed")) is not None:
        scrubbed.mapping()  # what the recording scrubbed: shown, never acted on
    _strings(doc, "files")  # the files the recording wrote (a new recording replaces only those)
    recorded = doc.field("recorded_at")
    try:
        recorded_at = datetime.fromisoformat(recorded.string())
    except ValueError:
        raise recorded.error(f"is {recorded.value!r}, not an ISO 8601 time") from None
    if recorded_at.tzinfo is None:
        recorded_at = recorded_at.replace(tzinfo=UTC)
    return Recording(
        directory=directory,
        format_version=doc.field("format_version").integer(),
        source=_optional(doc, "source", Node.string) or "live",
        recorded_at=recorded_at,
        base_url=endpoint.field("base_url").string(),
        resource=_optional(endpoint, "resource", Node.string),
        deployments=_strings(doc, "deployments"),
        auth_modes=_strings(doc, "auth_modes"),
        entra_scope=_optional(doc, "entra_scope", Node.string),
        suite=_optional(doc, "suite", Node.string),
        select=_strings(doc, "select"),
        probe_rate_limit=bool(_optional(doc, "probe_rate_limit", Node.boolean)),
        token_scopes={
            scope: None if why.value is None else why.string()
            for scope, why in _entries(doc, "token_scopes")
        },
        harness={name: value.string() for name, value in _entries(doc, "harness")},
        verdict=_optional(doc, "verdict", Node.string),
        cases={name: _case(case) for name, case in _entries(doc, "cases")},
    )


def _optional(doc: Node, key: str, read: Callable[[Node], T]) -> T | None:
    """The field ``key`` read with ``read``, or None when it is absent or null."""
    node = doc.get(key)
    return None if node is None or node.value is None else read(node)


def _strings(doc: Node, key: str) -> tuple[str, ...]:
    node = doc.get(key)
    return () if node is None or node.value is None else tuple(n.string() for n in node.items())


def _entries(doc: Node, key: str) -> list[tuple[str, Node]]:
    node = doc.get(key)
    return [] if node is None or node.value is None else node.entries()


def _case(case: Node) -> Mapping[str, Any]:
    """What the recording says of one case, its fields type-checked (a replay quotes them)."""
    for key in ("check", "case", "status", "reason"):
        _optional(case, key, Node.string)
    _strings(case, "diagnoses")
    _optional(case, "interactions", Node.integer)
    return case.mapping()


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
        f"The cassettes in {recording.directory} were recorded {days_text(age)} ago "
        f"({recording.recorded_at.isoformat(timespec='seconds')}), more than "
        f"--max-cassette-age {max_age_days} days: the endpoint may behave differently by now. "
        f"Re-record them against the endpoint ({RERECORD})."
    )


def owned_files(directory: Path) -> frozenset[str]:
    """The files of ``directory`` that an earlier recording by this harness wrote: those its
    ``metadata.json`` lists (and the metadata itself); none if it has no readable metadata."""
    path = directory / METADATA_FILE
    try:
        raw = read_at_most(path, MAX_FILE_BYTES)
        data = parse_json(raw, source=show_path(path), max_bytes=MAX_FILE_BYTES)
    except (OSError, UntrustedJSONError):
        return frozenset()
    if not isinstance(data, dict) or data.get("format") != CASSETTES_FORMAT:
        return frozenset()
    listed: list[object] = []
    for key in ("files", "cases"):
        value = data.get(key)
        listed += (
            value if isinstance(value, list) else list(value) if isinstance(value, dict) else []
        )
    names = {name for name in listed if isinstance(name, str) and _is_own_name(name)}
    return frozenset({METADATA_FILE, *names})


def _is_own_name(name: str) -> bool:
    """A cassette file name a recording may list: a plain name in the directory, never a path."""
    return (
        name.endswith(CASSETTE_SUFFIX)
        and Path(name).name == name
        and name not in (".", "..")
        and "/" not in name
        and "\\" not in name
        and "\0" not in name
    )


def foreign_entries(directory: Path) -> list[str]:
    """What ``directory`` holds that no recording of this harness wrote there (sorted)."""
    owned = owned_files(directory)
    try:
        names = sorted(entry.name for entry in directory.iterdir())
    except OSError:
        return []
    return [name for name in names if name not in owned and not is_staging_name(name)]


def check_record_directory(directory: Path, *, overwrite: bool = False) -> None:
    """``ConfigError`` unless ``directory`` can take a recording without touching anyone else's
    files: new, empty, or an earlier recording of this harness — or ``--overwrite`` is given."""
    if directory.exists() and not directory.is_dir():
        raise ConfigError(
            f"--cassettes {show_path(directory)} is a file, not a directory.",
            "Pass a new or empty directory (one cassette file per check case goes there).",
            source="--cassettes",
        )
    if not directory.is_dir() or overwrite:
        return  # new; or the user said that files of the same names may be replaced
    foreign = foreign_entries(directory)
    if not foreign:
        return  # empty, or an earlier recording to replace
    shown = ", ".join(show_path(name) for name in foreign[:_SHOWN])
    more = f" and {len(foreign) - _SHOWN} more" if len(foreign) > _SHOWN else ""
    raise ConfigError(
        f"--cassettes {show_path(directory)} holds files that no recording of foundry-conformance "
        f"wrote there ({shown}{more}): a recording would mix with them, and could replace one.",
        "Record into a new or empty directory (e.g. cassettes/<label>/), or pass --overwrite to "
        "record there anyway (the other files are left as they are; a file with the name of a "
        "cassette or of metadata.json is replaced).",
        source="--cassettes",
    )


_SHOWN = 5

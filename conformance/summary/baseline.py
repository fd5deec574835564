"""Reading what a comparison starts from: a run's ``summary.json``, a fleet's ``fleet.json``, or
the report directory that holds either (``--baseline PATH``, ``diff BASELINE CURRENT``,
``merge DIR…``). Reads files; every problem is one ``SummaryError`` naming the path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import SummaryError
from .fleet import SCHEMA as FLEET_SCHEMA
from .fleet import FleetIndex
from .load import load_summary, read_json_file, read_typed
from .model import RunSummary

SUMMARY_FILE = "summary.json"
FLEET_FILE = "fleet.json"


@dataclass(frozen=True)
class LoadedRun:
    """One run read back: a single target's summary, or a fleet's index with its targets'
    summaries (by name; a target without one is absent)."""

    source: Path
    summary: RunSummary | None = None
    fleet: FleetIndex | None = None
    summaries: dict[str, RunSummary] | None = None

    @property
    def folder(self) -> Path:
        return self.source.parent


def locate(path: Path) -> Path:
    """The summary.json or fleet.json ``path`` is, or holds (a fleet's first)."""
    if path.is_dir():
        for name in (FLEET_FILE, SUMMARY_FILE):
            if (path / name).is_file():
                return path / name
        raise SummaryError(
            f"{path} holds neither {FLEET_FILE} nor {SUMMARY_FILE}: give the report directory "
            "of a run (its --report-dir) or one of those files"
        )
    if not path.exists():
        raise SummaryError(
            f"{path} does not exist; give a summary.json, a fleet.json or the "
            "report directory that holds one"
        )
    return path


def load_fleet_index(path: Path) -> FleetIndex:
    """A ``fleet.json``, every field type-checked."""
    data = read_json_file(path)
    schema = data.get("schema") if isinstance(data, dict) else None
    if schema != FLEET_SCHEMA:
        raise SummaryError(
            f"{path} has the schema {schema!r}, not {FLEET_SCHEMA!r}: it is not a fleet index "
            "written by this version of foundry-conformance"
        )
    index: FleetIndex = read_typed(data, FleetIndex, str(path))
    return index


def load_run(path: Path) -> LoadedRun:
    """The run at ``path``: a summary, or a fleet index with its targets' summaries."""
    found = locate(path)
    data = read_json_file(found)
    schema = data.get("schema") if isinstance(data, dict) else None
    if schema == FLEET_SCHEMA:
        index = load_fleet_index(found)
        summaries = {}
        for target in index.targets:
            summary_path = found.parent / target.report / SUMMARY_FILE
            if target.report and summary_path.is_file():
                summaries[target.name] = load_summary(summary_path)
        return LoadedRun(found, fleet=index, summaries=summaries)
    return LoadedRun(found, summary=load_summary(found))


def load_baseline_summary(path: Path) -> RunSummary:
    """The baseline of a single run: a summary (a fleet's is refused: name the target's)."""
    run = load_run(path)
    if run.summary is None:
        raise SummaryError(
            f"{run.source} is a fleet's index; a single run's --baseline is one target's run: "
            f"give its directory ({run.folder}/<target>) or its summary.json"
        )
    return run.summary

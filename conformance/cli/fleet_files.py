"""Writing a fleet's index (``fleet.json``, ``index.html``) and scanning the fleet's own files for
every target's secrets; ``merge DIR…``, which builds the same index from report directories of
separate runs."""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, TextIO

from ..core.errors import ConfigError, SummaryError
from ..core.publish import Publication, Publisher
from ..core.redaction import Redactor
from ..report.artifacts import scan_result
from ..report.changes_text import fleet_block
from ..report.fleet_html import render_fleet_html
from ..summary.baseline import FLEET_FILE, SUMMARY_FILE, load_fleet_index
from ..summary.fleet import FleetIndex, TargetRecord, build_index, fleet_exit
from ..summary.load import load_summary
from ..summary.model import SecretScan

INDEX_FILE = "index.html"


def index_document(index: FleetIndex) -> dict[str, Any]:
    """``fleet.json``'s content, ``schema`` first."""
    data = asdict(index)
    return {"schema": data.pop("schema"), **data}


def _render(index: FleetIndex) -> list[tuple[str, str]]:
    text = json.dumps(index_document(index), indent=2, ensure_ascii=False) + "\n"
    return [(FLEET_FILE, text), (INDEX_FILE, render_fleet_html(index))]


def write_index(
    index: FleetIndex,
    root: Path,
    logs: Sequence[tuple[Path, Path]],
    redactor: Redactor | None,
) -> FleetIndex:
    """Publish the targets' terminal output (``logs``: staging file → ``run.log``) and the index
    through one ``Publisher`` with every target's secrets (None: none is known here, as in
    ``merge``): each scanned before it is in place, redacted on a hit, else withheld. The index
    says what the scan did, and the exit status follows it."""
    publisher = Publisher(redactor or Redactor([]))
    for staged, destination in logs:
        if staged.is_file():
            publisher.publish_staged(staged, destination)
    published = publisher.publications

    def render(own: list[Publication]) -> list[str]:
        index.secret_scan = _scan(published, own, redactor)
        index.exit_code = fleet_exit(index)
        return [text for _, text in _render(index)]

    publisher.publish_reporting_scan([root / name for name in (FLEET_FILE, INDEX_FILE)], render)
    index.secret_scan = _scan(publisher.publications, [], redactor)
    index.exit_code = fleet_exit(index)
    return index


def _scan(
    published: Sequence[Publication], own: Sequence[Publication], redactor: Redactor | None
) -> SecretScan:
    if redactor is None:
        return SecretScan()  # nothing to look for: not scanned
    return scan_result([*published, *own])


def merge_command(args: argparse.Namespace, out: TextIO) -> int:
    """``merge DIR…``: one fleet index from report directories of separate runs (each a fleet's
    ``--report-dir``, or one run's), the targets' directories copied under ``--out``."""
    root = Path(args.out)
    records: list[TargetRecord] = []
    copies: list[tuple[Path, Path]] = []
    seen: set[str] = set()
    fail_on = "verdict"
    for given in args.dirs:
        folder = Path(given)
        found = _sources(folder, len(records))
        for record, source in found:
            if record.name in seen:
                raise ConfigError(
                    f"two of the directories given to merge hold a target named {record.name!r}.",
                    "Give each target's report directory once.",
                    source="merge",
                )
            seen.add(record.name)
            records.append(record)
            if source is not None:
                copies.append((source, root / record.name))
        index_path = folder / FLEET_FILE
        if index_path.is_file() and load_fleet_index(index_path).fail_on == "regressions":
            fail_on = "regressions"
    if not records:
        raise ConfigError(
            "merge was given no report directory holding a run.",
            "Give the --report-dir of each run (or of each fleet run with --only).",
            source="merge",
        )
    for source, destination in copies:
        if source.resolve() != destination.resolve():
            shutil.copytree(source, destination, dirs_exist_ok=True)
    records = [replace(r, report=r.name) if r.summary is not None else r for r in records]
    index = write_index(build_index(records, fail_on=fail_on), root, [], None)
    for line in fleet_block(index, str(root / INDEX_FILE)):
        out.write(line + "\n")
    return index.exit_code


def _sources(folder: Path, offset: int) -> list[tuple[TargetRecord, Path | None]]:
    """The targets a directory holds, each with the directory to copy (None: no report)."""
    if (folder / FLEET_FILE).is_file():
        index = load_fleet_index(folder / FLEET_FILE)
        found: list[tuple[TargetRecord, Path | None]] = []
        for target in index.targets:
            report = folder / target.report if target.report else None
            if report is not None and (report / SUMMARY_FILE).is_file():
                record = TargetRecord(
                    target.name, target.position, target.report, load_summary(report / SUMMARY_FILE)
                )
                found.append((record, report))
            else:
                record = TargetRecord(
                    target.name,
                    target.position,
                    "",
                    None,
                    target.verdict,
                    target.problem,
                    target.exit_code,
                )
                found.append((record, None))
        return found
    if (folder / SUMMARY_FILE).is_file():
        name = folder.resolve().name
        summary = load_summary(folder / SUMMARY_FILE)
        # After every fleet's targets: a plain run has no place in a fleet file.
        return [(TargetRecord(name, 10_000 + offset, name, summary), folder)]
    raise SummaryError(
        f"{folder} holds neither {FLEET_FILE} nor {SUMMARY_FILE}: give the --report-dir of a run"
    )

"""End-to-end helpers: the real CLI, in-process, against the real emulator over loopback."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.cli.main import main
from tests.foundry_env import FOUNDRY_VARIABLES


@dataclass
class CliRun:
    """What one ``foundry-conformance run`` left behind."""

    exit_code: int
    report_dir: Path
    output: str

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads((self.report_dir / "summary.json").read_text("utf-8"))

    def statuses(self) -> dict[str, str]:
        """Check ID (with params) → status."""
        out = {}
        for check in self.summary["checks"]:
            params = ",".join(f"{v}" for v in check["params"].values())
            out[check["id"] + (f"[{params}]" if params else "")] = check["status"]
        return out

    def failing(self) -> set[str]:
        return {c["id"] for c in self.summary["checks"] if c["status"] in ("failed", "error")}

    def codes(self) -> set[str]:
        return {d["code"] for d in self.summary["diagnoses"]}

    def check(self, check_id: str) -> dict[str, Any]:
        return next(c for c in self.summary["checks"] if c["id"] == check_id)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No Foundry variable of the developer's shell leaks into a test run."""
    for name in FOUNDRY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def run_cli(
    tmp_path: Path, clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., CliRun]:
    """Run ``foundry-conformance run ARGS`` with a fresh report directory."""
    counter = iter(range(1000))

    def run(*args: str) -> CliRun:
        report_dir = tmp_path / f"reports-{next(counter)}"
        code = main(["run", *args, "--report-dir", str(report_dir)])
        captured = capsys.readouterr()
        return CliRun(code, report_dir, captured.out + captured.err)

    clean_env.chdir(tmp_path)
    return run

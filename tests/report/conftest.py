"""A real run for the report tests: the CLI, in-process, against the emulator with faults on.

One run serves the whole session (a run takes seconds). Its key is a canary: the emulator accepts
the key in ``ANTHROPIC_FOUNDRY_API_KEY``, and with ``echo-key`` it sends it back in bodies and
headers, so any artifact that holds it would prove a leak.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conformance.cli.main import main
from tests.foundry_env import FOUNDRY_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
CANARY_KEY = "canary-key-7f3c9e1d5b2a4f60-must-never-reach-an-artifact"
FAULTS = "api-key-rejected,echo-key,server-error"


@dataclass
class FaultRun:
    """What the run left in its report directory."""

    exit_code: int
    report_dir: Path

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads(self.text("summary.json"))

    def text(self, name: str) -> str:
        return (self.report_dir / name).read_text("utf-8")

    def failing_checks(self) -> list[dict[str, Any]]:
        return [c for c in self.summary["checks"] if c["status"] in ("failed", "error")]


@pytest.fixture(scope="session")
def fault_run(tmp_path_factory: pytest.TempPathFactory) -> FaultRun:
    """``foundry-conformance run --emulator api-key-rejected,echo-key,server-error`` with a canary key."""
    base = tmp_path_factory.mktemp("fault-run")
    with pytest.MonkeyPatch.context() as env:
        for name in FOUNDRY_VARIABLES:
            env.delenv(name, raising=False)
        env.setenv("ANTHROPIC_FOUNDRY_API_KEY", CANARY_KEY)
        env.chdir(base)
        code = main(
            [
                "run",
                "--emulator",
                FAULTS,
                "--report-dir",
                str(base / "reports"),
            ]
        )
    return FaultRun(code, base / "reports")


@pytest.fixture(scope="session")
def render_report_script() -> ModuleType:
    """``scripts/render_report.py`` as a module: its Chromium helpers serve the browser tests."""
    path = ROOT / "scripts" / "render_report.py"
    spec = importlib.util.spec_from_file_location("render_report", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

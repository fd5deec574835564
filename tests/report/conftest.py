"""Real runs for the report tests: the CLI, in-process, against the emulator.

Each run serves the whole session (a run takes seconds). ``fault_run`` has faults on and a canary
key: the embedded emulator accepts the key in ``ANTHROPIC_FOUNDRY_API_KEY``, and with ``echo-key``
it sends it back in bodies and headers, so any artifact that holds it would prove a leak.
``conformant_run`` is a clean emulator run; ``wrong_key_run`` is the page a user opens after the
most common mistake: a standalone emulator, and a key it does not know, so every authenticated
request is refused with 401.
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
from conformance.emulator import parse_profiles
from conformance.emulator.server import EmulatorServer
from tests.foundry_env import FOUNDRY_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
CANARY_KEY = "canary-key-7f3c9e1d5b2a4f60-must-never-reach-an-artifact"
WRONG_KEY = "wrong-key-canary-3b9d-not-the-emulators-key"
FAULTS = "api-key-rejected,echo-key,server-error"
# A capability matrix with every kind of cell: an Azure-hosted endpoint that refuses what its
# hosting option does not offer and ignores the rest, judged by a user's profile that documents
# web search as supported there (so its refusal is off the docs).
MATRIX_FAULTS = "hosted-on-azure,features-ignored,enterprise-quota"
MATRIX_PROFILE = """
[hosting.azure.features]
web_search = { status = "supported", source = ["notes"], confidence = "documented" }

[sources.notes]
title = "Our notes"
url = ""
date = "2026-11-20"
"""


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


def run_cli(base: Path, key: str, *args: str) -> FaultRun:
    """``foundry-conformance run ARGS`` with ``key`` and no other Foundry variable, from ``base``."""
    with pytest.MonkeyPatch.context() as env:
        for name in FOUNDRY_VARIABLES:
            env.delenv(name, raising=False)
        env.setenv("ANTHROPIC_FOUNDRY_API_KEY", key)
        env.chdir(base)
        code = main(["run", *args, "--report-dir", str(base / "reports")])
    return FaultRun(code, base / "reports")


@pytest.fixture(scope="session")
def fault_run(tmp_path_factory: pytest.TempPathFactory) -> FaultRun:
    """``foundry-conformance run --emulator api-key-rejected,echo-key,server-error`` with a canary key."""
    return run_cli(tmp_path_factory.mktemp("fault-run"), CANARY_KEY, "--emulator", FAULTS)


@pytest.fixture(scope="session")
def conformant_run(tmp_path_factory: pytest.TempPathFactory) -> FaultRun:
    """``foundry-conformance run --emulator``: every check passes, or is skipped with its reason."""
    return run_cli(tmp_path_factory.mktemp("conformant-run"), CANARY_KEY, "--emulator")


@pytest.fixture(scope="session")
def wrong_key_run(tmp_path_factory: pytest.TempPathFactory) -> FaultRun:
    """A run against a standalone emulator with a key it does not know: every key is refused."""
    with EmulatorServer(parse_profiles("default")) as server:
        return run_cli(
            tmp_path_factory.mktemp("wrong-key-run"), WRONG_KEY, "--base-url", server.base_url
        )


@pytest.fixture(scope="session")
def matrix_run(tmp_path_factory: pytest.TempPathFactory) -> FaultRun:
    """Every capability probed on the three default deployments of a standalone emulator (see
    ``MATRIX_FAULTS``), with ``MATRIX_PROFILE`` as the run's own platform profile."""
    base = tmp_path_factory.mktemp("matrix-run")
    profile = base / "my-profile.toml"
    profile.write_text(MATRIX_PROFILE, "utf-8")
    config = parse_profiles(MATRIX_FAULTS)
    with EmulatorServer(config=config, api_key=CANARY_KEY) as server:
        args = ("--base-url", server.base_url, "--platform-profile", str(profile))
        return run_cli(base, CANARY_KEY, *args, "--select", "capabilities")


@pytest.fixture(scope="session")
def render_report_script() -> ModuleType:
    """``scripts/render_report.py`` as a module: its Chromium helpers serve the browser tests."""
    path = ROOT / "scripts" / "render_report.py"
    spec = importlib.util.spec_from_file_location("render_report", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

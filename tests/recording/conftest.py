"""End-to-end helpers: record the suite against the real emulator with canary secrets, replay it."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.cli.main import main
from conformance.core.jwt_claims import mint_test_token
from conformance.core.redaction import Redactor, secret_forms
from conformance.emulator import parse_profiles
from conformance.emulator.server import EmulatorServer
from tests.foundry_env import FOUNDRY_VARIABLES

CANARY_KEY = "canary-key-DO-NOT-LEAK-5f1c9e27b3a84d60"
CANARY_CLAIM = "canary-claim-DO-NOT-LEAK"
CANARY_TOKEN = mint_test_token(extra={"canary": CANARY_CLAIM})


@dataclass
class CliRun:
    """What one ``foundry-conformance run`` left behind."""

    exit_code: int
    report_dir: Path
    output: str

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads((self.report_dir / "summary.json").read_text("utf-8"))

    def outcomes(self) -> dict[str, str]:
        """Case (pytest node ID) → status."""
        return {check["case"]: check["status"] for check in self.summary["checks"]}

    def failing(self) -> dict[str, str]:
        """Case → reason, for the cases that failed or errored."""
        return {
            check["case"]: check["reason"]
            for check in self.summary["checks"]
            if check["status"] in ("failed", "error")
        }

    def codes(self) -> list[str]:
        return sorted(d["code"] for d in self.summary["diagnoses"])


def run_cli(*args: str, report_dir: Path) -> CliRun:
    """``foundry-conformance run ARGS`` in-process, its output captured."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["run", *args, "--report-dir", str(report_dir)])
    return CliRun(code, report_dir, out.getvalue())


def leaks(*roots: Path) -> list[str]:
    """Every file under ``roots`` holding a canary, in any form the scan knows (or plainly)."""
    redactor = Redactor([CANARY_KEY, CANARY_TOKEN])
    forms = secret_forms(CANARY_KEY) | secret_forms(CANARY_TOKEN) | {CANARY_CLAIM, "DO-NOT-LEAK"}
    found = []
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            text = path.read_bytes().decode("latin-1")
            if redactor.contains_secret(text) or any(form in text for form in forms):
                found.append(str(path))
    return found


@contextlib.contextmanager
def canary_env(directory: Path) -> Iterator[pytest.MonkeyPatch]:
    """The canary key and token in the environment, nothing else of the shell's, cwd a tmp dir."""
    with pytest.MonkeyPatch.context() as patch:
        for name in FOUNDRY_VARIABLES:
            patch.delenv(name, raising=False)
        patch.setenv("ANTHROPIC_FOUNDRY_API_KEY", CANARY_KEY)
        patch.setenv("FOUNDRY_CONFORMANCE_ENTRA_TOKEN", CANARY_TOKEN)
        patch.chdir(directory)
        yield patch


def record(directory: Path, label: str, profile: str = "default", *extra: str) -> CliRun:
    """Record the standard suite against an emulator that accepts the canary key."""
    with EmulatorServer(parse_profiles(profile), api_key=CANARY_KEY) as server:
        return run_cli(
            "--mode",
            "record",
            "--base-url",
            server.base_url,
            "--cassettes",
            str(directory / "cassettes" / label),
            *extra,
            report_dir=directory / f"reports-record-{label}",
        )


@dataclass
class Recorded:
    """A cassette set recorded once per session, and the run that recorded it."""

    root: Path
    cassettes: Path
    run: CliRun


@pytest.fixture(scope="session")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    """The standard suite recorded from the emulator (stopped again before any replay)."""
    root = tmp_path_factory.mktemp("recorded")
    with canary_env(root):
        run = record(root, "live")
    yield Recorded(root, root / "cassettes" / "live", run)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """The canary environment for one test, cwd its tmp dir."""
    with canary_env(tmp_path) as patch:
        yield patch

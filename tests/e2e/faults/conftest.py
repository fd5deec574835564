"""Fixtures of the fault tests: the end-to-end CLI fixtures of ``tests/e2e`` (reused, not
copied), a CLI runner that keeps stdout and stderr apart, and loopback tools."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.cli.main import main

from ..conftest import clean_env, run_cli
from .helpers import ConnectionRecorder, connection_recorder

__all__ = ["Cli", "clean_env", "cli", "recorder", "run_cli"]

CANARY_KEY = "canary-key-DO-NOT-LEAK-8b7e0c1d2f3a4b5c"


@dataclass
class Cli:
    """One ``foundry-conformance`` command: its exit status, and stdout and stderr apart."""

    exit_code: int
    out: str
    err: str


@pytest.fixture
def cli(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Cli]:
    """Run ``foundry-conformance ARGS`` in-process, cwd a tmp dir, a canary key set."""
    clean_env.chdir(tmp_path)
    clean_env.setenv("ANTHROPIC_FOUNDRY_API_KEY", CANARY_KEY)

    def run(*args: str) -> Cli:
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's own errors exit from inside the parser
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Cli(code, captured.out, captured.err)

    return run


@pytest.fixture
def recorder() -> Iterator[ConnectionRecorder]:
    """A listening loopback socket that counts every connection made to it."""
    with connection_recorder() as listening:
        yield listening

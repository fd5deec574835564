"""The layout is the architecture: pure modules import no network, pytest, vcrpy or SDK code.

I/O lives in a few named places (listed below); every other module of the package is pure and
must stay so, so that its logic is testable without sockets and reusable by every writer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "conformance"

# The named places where I/O (network, pytest, vcrpy, the SDK client, credentials) may live.
IO_MODULES = {
    "client.py",
    "limits.py",  # the budget and the requests in flight
    "sdk.py",
    "credentials.py",
    "shapes.py",  # anthropic.types only: the SDK's models, no client
    "session.py",
    "plugin.py",
    "cli.py",
    "cli_run.py",
    "outcomes.py",  # the plugin's bookkeeping of pytest reports
    "cassettes.py",
    "parallel.py",  # --jobs: the thread pool the checks run on
    "cassettes_record.py",  # the vcrpy glue, split by mode
    "cassettes_replay.py",
    "artifacts.py",
    "junit_extras.py",  # pytest hooks: JUnit names and request IDs
    "pytest_html_extras.py",  # pytest hooks: pytest-html column and transcripts
    "emulator/server.py",
    "emulator/standalone.py",
}
IO_PACKAGES = {"suite"}  # the checks themselves: pytest tests that send requests

FORBIDDEN = {
    "httpx",
    "httpx2",
    "httpcore",
    "pytest",
    "_pytest",
    "vcr",
    "anthropic",
    "azure",
    "socket",
    "socketserver",
    "ssl",
    "http",
    "urllib3",
    "requests",
    "subprocess",
}


def _pure_modules() -> list[Path]:
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in IO_MODULES or relative.split("/")[0] in IO_PACKAGES:
            continue
        modules.append(path)
    return modules


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_there_are_pure_modules_to_guard() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in _pure_modules()}
    assert {"config.py", "redaction.py", "jwt_claims.py", "verdict.py"} <= names
    assert any(name.startswith("diagnosis/") for name in names)
    assert any(name.startswith("emulator/") for name in names)


@pytest.mark.parametrize("path", _pure_modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_pure_module_imports_no_io(path: Path) -> None:
    bad = _imported_roots(path) & FORBIDDEN
    assert not bad, (
        f"{path.relative_to(PACKAGE)} is a pure module but imports {sorted(bad)}; move the I/O "
        "into one of the named I/O modules (see ARCHITECTURE.md) or pass the result in"
    )

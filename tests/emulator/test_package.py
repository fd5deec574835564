"""The package's shape: what it exports, and that the pure logic imports no I/O machinery."""

from __future__ import annotations

import subprocess
import sys

import conformance.emulator as emulator

PURE_MODULES = [
    "auth", "bodies", "ids", "logic", "messages", "profiles", "ratelimit", "schemas", "streams",
    "validation", "wire",
]  # fmt: skip
IO_MODULES = {"http.server", "socketserver", "httpx", "httpx2", "anthropic", "pytest", "pydantic"}


def test_the_public_names() -> None:
    """The server is not among them: importing the package loads no socket code."""
    assert set(emulator.__all__) == {"EmulatorConfig", "parse_profiles", "PROFILE_NAMES", "Faults"}


def test_the_pure_modules_import_no_server_client_or_test_code() -> None:
    imports = "; ".join(f"import conformance.emulator.{name}" for name in PURE_MODULES)
    probe = f"import sys; {imports}; print(sorted(set(sys.modules) & set({sorted(IO_MODULES)!r})))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"

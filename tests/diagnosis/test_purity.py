"""The diagnosis engine stays pure: no network, pytest, recording or SDK code anywhere in it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import conformance.diagnosis

PACKAGE = Path(conformance.diagnosis.__file__).parent
ALLOWED_PROJECT_MODULES = {
    "conformance.interactions",
    "conformance.jwt_claims",
    "conformance.constants",
}
FORBIDDEN = ("httpx", "httpx2", "pytest", "vcr", "azure", "anthropic", "socket", "requests", "ssl")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_modules_import_only_the_stdlib_and_three_project_modules() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            assert name in ALLOWED_PROJECT_MODULES or (
                top in sys.stdlib_module_names and top not in FORBIDDEN
            ), f"{path.name} imports {name}"


def test_importing_the_engine_loads_no_forbidden_module() -> None:
    # Measured against what its allowed imports load already (importlib.metadata pulls in socket
    # through email, for instance): the engine must add nothing forbidden of its own.
    probe = (
        "import sys\n"
        "import conformance.interactions, conformance.jwt_claims, conformance.constants\n"
        "before = set(sys.modules)\n"
        "import conformance.diagnosis\n"
        f"print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

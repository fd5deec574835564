"""The suite's checks fail by raising what they found, never by ``assert``: a run rewrites no
asserts (``--assert=plain``), a fleet's fork server imports the suite before pytest starts
(``cli/fleet_warm``), and a bare ``AssertionError`` would tell a user nothing."""

from __future__ import annotations

import ast
from pathlib import Path

import conformance.suite

SUITE = Path(conformance.suite.__file__).parent


def test_no_module_of_the_suite_asserts() -> None:
    modules = sorted(SUITE.glob("*.py"))
    assert len(modules) > 10
    found = [
        f"{path.name}:{node.lineno}"
        for path in modules
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert found == []

"""Platform knowledge lives in the profile, nowhere else: the package's code names no model, no API
version, no Entra scope or audience, no role, no quota figure and no counter of its own — the
checks, the emulator and the diagnoses read them from ``core/platform.toml``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from conformance.core.platform_load import builtin_profile

PACKAGE = Path(__file__).resolve().parents[2] / "conformance"
PROFILE = builtin_profile()


def _platform_literals() -> dict[str, re.Pattern[str]]:
    """What may only come from the profile, as patterns over string literals."""
    versions = "|".join(re.escape(v.value) for v in PROFILE.api_versions)
    roles = [r.name for r in PROFILE.data_plane_roles] + [
        r.formerly for r in PROFILE.data_plane_roles if r.formerly
    ]
    counters = list(PROFILE.quota.counters.values())
    return {
        "a model ID": re.compile(r"\bclaude-(?:opus|sonnet|haiku|fable|mythos)-[\w-]+"),
        "an API version": re.compile(rf"(?<![\w-])(?:{versions})(?![\w-])"),
        "an Entra scope or audience": re.compile(
            r"https://(?:cognitiveservices\.azure\.com|ai\.azure\.com)"
        ),
        "a data-plane role": re.compile("|".join(re.escape(r) for r in roles)),
        "a quota counter": re.compile("|".join(re.escape(c) for c in counters)),
        "a rate-limit header": re.compile(r"anthropic-ratelimit-\w"),
    }


def _string_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_the_code_names_no_platform_fact_of_its_own(path: Path) -> None:
    """Docstrings and comments may explain with examples; code reads the profile."""
    found = [
        f"line {line}: {what} ({match.group(0)!r})"
        for line, text in _string_literals(path)
        for what, pattern in _platform_literals().items()
        if (match := pattern.search(text))
    ]
    assert found == [], (
        f"{path.relative_to(PACKAGE)} names platform facts that belong in core/platform.toml: "
        + "; ".join(found)
    )


def test_the_check_finds_a_model_id_typed_into_the_code(tmp_path: Path) -> None:
    """A test of the test: a literal the profile should hold is caught, a docstring is not."""
    module = tmp_path / "scratch.py"
    module.write_text(
        '"""Deploys claude-opus-5-5, for example."""\n\nDEFAULT = "claude-sonnet-5-5"\n'
    )
    literals = _string_literals(module)
    assert literals == [(3, "claude-sonnet-5-5")]
    assert _platform_literals()["a model ID"].search(literals[0][1])

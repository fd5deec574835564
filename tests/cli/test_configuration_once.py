"""A run resolves its configuration once: the command line hands the resolved ``Settings`` to the
pytest session, which never parses them back from option text; plain pytest resolves its
``--foundry-*`` options once too."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.cli.main import main
from conformance.config import resolve
from conformance.core.platform_load import builtin_profile
from tests.foundry_env import FOUNDRY_VARIABLES


@pytest.fixture
def resolutions(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every resolution of a configuration from now on (each call of the one resolver)."""
    for name in FOUNDRY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    calls: list[Any] = []
    real: Callable[..., Any] = resolve._resolve

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(resolve, "_resolve", counting)
    return calls


def test_a_cli_run_resolves_its_configuration_once(
    resolutions: list[Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Checks that take a deployment are parametrised from the same settings (pytest_generate_tests).
    args = ["run", "--emulator", "--select", "MSG-BASIC", "--select", "DEP-SERVES"]
    code = main([*args, "--deployment", "a", "--report-dir", str(tmp_path / "r")])
    assert code == 0, capsys.readouterr().out  # the run's emulator serves the deployment it names
    assert len(resolutions) == 1


def test_plain_pytest_resolves_its_options_once(
    resolutions: list[Any], pytester: pytest.Pytester
) -> None:
    result = pytester.runpytest_inprocess(
        "--pyargs",
        "conformance.suite",
        "--foundry-select=MSG-BASIC",
        "--foundry-select=DEP-SERVES",
        "--foundry-report-dir=out",
        "-p",
        "no:cacheprovider",
    )
    # MSG-BASIC, and DEP-SERVES once per deployment the inventory finds on the emulator.
    result.assert_outcomes(passed=1 + len(builtin_profile().emulator_deployments))
    assert len(resolutions) == 1


def test_a_foundry_option_passed_through_to_pytest_is_refused_with_the_flag_to_use(
    resolutions: list[Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--pytest-arg=--foundry-suite=full`` would be ignored: the CLI's settings win; say so."""
    code = main(
        ["run", "--emulator", "--pytest-arg=--foundry-suite=full", "--report-dir", str(tmp_path)]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert (
        "--foundry-suite was passed to pytest, but foundry-conformance run resolves its own "
        "flags: give it as --suite instead." in captured.out + captured.err
    )

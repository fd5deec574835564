"""What the terminal shows of a run: the suite's own file names, skips at the check's line."""

from __future__ import annotations

import re
from collections.abc import Callable

from .conftest import CliRun


def test_progress_names_the_suite_files_not_a_path_into_the_installation(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "--suite", "smoke", "--jobs", "1")
    assert re.search(r"^test_endpoint\.py \.\.", result.output, re.MULTILINE), result.output
    assert "conformance/suite/test_" not in result.output


def test_a_skip_the_harness_decides_is_listed_at_the_check_s_line(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "--select", "AUTH-RBAC", "--select", "RL-429", "--jobs", "1")
    skipped = [line for line in result.output.splitlines() if line.startswith("SKIPPED")]
    assert skipped, result.output
    assert all(re.match(r"SKIPPED \[1\] test_\w+\.py:\d+: ", line) for line in skipped), skipped
    assert not any("plugin.py" in line or "parallel.py" in line for line in skipped)

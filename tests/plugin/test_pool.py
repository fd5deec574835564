"""``--foundry-jobs``: checks on a thread pool, reported by pytest in order (pytester)."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET

import pytest

from conformance.core.constants import POOL_THREAD_PREFIX
from conformance.core.platform_load import builtin_profile
from tests.foundry_env import FOUNDRY_VARIABLES

# Named, so that the run takes no inventory of the default names (its requests are counted).
DEPLOYMENT = builtin_profile().emulator_deployments[0]

CHECKS = """
import threading
import time

import pytest

from conformance.core.errors import CheckFailure
from conformance.suite.helpers import message_body, send_primary

check = pytest.mark.foundry_check


def _thread(record_property):
    record_property("thread", threading.current_thread().name)


@check("EP-REACH")
def test_passes(foundry_run, record_property):
    _thread(record_property)
    time.sleep(0.3)
    send_primary(foundry_run, "GET", "v1/models")


@check("EP-BASE-PATH")
def test_fails(foundry_run, primary_deployment, record_property):
    _thread(record_property)
    send_primary(foundry_run, "POST", "v1/messages", message_body(primary_deployment))
    raise CheckFailure("the base path is wrong on purpose", ("wrong-base-path",))


@check("MSG-BASIC")
def test_skips(foundry_run, record_property):
    _thread(record_property)
    pytest.skip("skipped on purpose")


@check("MSG-USAGE")
def test_needs_another_fixture(foundry_run, record_property, tmp_path):
    _thread(record_property)


@check("RID-REQUEST-ID")
def test_run_wide(foundry_run, record_property):
    _thread(record_property)
    assert len(foundry_run.log.snapshot()) >= 2, "ran before the pooled checks had finished"
"""


@pytest.fixture(autouse=True)
def _no_foundry_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in FOUNDRY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _properties(junit: ET.Element) -> dict[str, dict[str, str]]:
    return {
        case.get("name", ""): {p.get("name", ""): p.get("value", "") for p in case.iter("property")}
        for case in junit.iter("testcase")
    }


def test_pooled_checks_are_reported_in_order_as_if_they_had_run_in_the_loop(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_checks=CHECKS)
    result = pytester.runpytest_inprocess(
        "--foundry-emulator",
        "--foundry-jobs",
        "3",
        "--foundry-report-dir",
        "out",
        "--junitxml",
        "junit.xml",
        "-o",
        "junit_family=xunit1",
        "-p",
        "no:cacheprovider",
        "-rs",
    )
    result.assert_outcomes(passed=3, failed=1, skipped=1)
    # In catalog order, as in a serial run: EP-REACH, EP-BASE-PATH, MSG-BASIC, MSG-USAGE, RID-*.
    result.stdout.fnmatch_lines(
        [
            "*3 checks run concurrently, at most 3 requests in flight (--jobs 3)*",
            "test_checks.py .Fs..*",
        ]
    )
    junit = ET.parse(pytester.path / "junit.xml").getroot()
    threads = {name: props.get("thread", "") for name, props in _properties(junit).items()}
    assert threads["EP-REACH"].startswith("foundry-check")
    assert threads["EP-BASE-PATH"].startswith("foundry-check")
    assert threads["MSG-USAGE"] == "MainThread"  # another fixture: run in the loop
    assert threads["RID-REQUEST-ID"] == "MainThread"  # run-wide: after the pooled ones
    times = {case.get("name"): float(case.get("time", "0")) for case in junit.iter("testcase")}
    assert times["EP-REACH"] >= 0.3  # the time the check took, not the time pytest waited
    summary = json.loads((pytester.path / "out" / "summary.json").read_text())
    statuses = {c["id"]: (c["status"], c["reason"]) for c in summary["checks"]}
    assert statuses["EP-BASE-PATH"] == ("failed", "the base path is wrong on purpose")
    assert statuses["MSG-BASIC"] == ("skipped", "skipped on purpose")
    assert statuses["EP-REACH"][0] == "passed"
    by_check = {ix["check"] for c in summary["checks"] for ix in c["evidence"]}
    assert {"EP-REACH", "EP-BASE-PATH"} <= by_check


def test_a_pooled_failure_shows_the_check_s_traceback(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_checks=CHECKS)
    result = pytester.runpytest_inprocess(
        "--foundry-emulator",
        "--foundry-jobs",
        "2",
        "--foundry-report-dir",
        "out",
        "-p",
        "no:cacheprovider",
        "-k",
        "fails or passes",
        "--tb=short",
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_checks.py:*: in test_fails",
            '*raise CheckFailure("the base path is wrong on purpose"*',
        ]
    )
    result.stdout.no_fnmatch_line("*parallel.py*")


def test_one_job_runs_every_check_in_the_loop(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_checks=CHECKS)
    result = pytester.runpytest_inprocess(
        "--foundry-emulator",
        "--foundry-jobs",
        "1",
        "--foundry-report-dir",
        "out",
        "--junitxml",
        "junit.xml",
        "-o",
        "junit_family=xunit1",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(passed=3, failed=1, skipped=1)
    result.stdout.no_fnmatch_line("*requests in flight*")
    junit = ET.parse(pytester.path / "junit.xml").getroot()
    assert {props.get("thread") for props in _properties(junit).values()} == {"MainThread"}


def test_a_bad_jobs_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_checks=CHECKS)
    result = pytester.runpytest_inprocess("--foundry-emulator", "--foundry-jobs", "0")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--foundry-jobs '0' is not a number of checks to run at once*"])


def test_a_check_pytest_skips_by_mark_is_not_started_on_the_pool(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_checks=CHECKS.replace(
            '@check("EP-REACH")', '@pytest.mark.skip(reason="not today")\n@check("EP-REACH")'
        )
    )
    result = pytester.runpytest_inprocess(
        "--foundry-emulator", "--foundry-jobs", "3", "--foundry-report-dir", "out",
        f"--foundry-deployment={DEPLOYMENT}", "-p", "no:cacheprovider",
    )  # fmt: skip
    result.assert_outcomes(passed=2, failed=1, skipped=2)
    summary = json.loads((pytester.path / "out" / "summary.json").read_text())
    reach = next(c for c in summary["checks"] if c["id"] == "EP-REACH")
    assert reach["status"] == "skipped" and not reach["evidence"]
    assert summary["usage"]["requests"] == 2  # the primary-auth probe and EP-BASE-PATH's


def test_a_collection_error_stops_the_run_before_the_pool_sends_anything(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_checks=CHECKS, test_broken="this is not python")
    result = pytester.runpytest_inprocess(
        "--foundry-emulator", "--foundry-jobs", "3", "--foundry-report-dir", "out",
        "-p", "no:cacheprovider",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.no_fnmatch_line("*requests in flight*")
    assert not (pytester.path / "out" / "summary.json").exists()


def test_no_thread_of_the_pool_outlives_the_run(pytester: pytest.Pytester) -> None:
    """The console script ends the process at once when threads are left in flight (a second
    Ctrl-C): after an ordinary run none may be."""
    pytester.makepyfile(test_checks=CHECKS)
    result = pytester.runpytest_inprocess(
        "--foundry-emulator", "--foundry-jobs", "3", "--foundry-report-dir", "out",
        "-p", "no:cacheprovider",
    )  # fmt: skip
    result.assert_outcomes(passed=3, failed=1, skipped=1)
    assert not [t.name for t in threading.enumerate() if t.name.startswith(POOL_THREAD_PREFIX)]

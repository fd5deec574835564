"""JUnit failures say what to do: the diagnosis codes and remedies lead ``<failure message>``, and
the failure's text keeps the detail and adds the diagnoses and the request IDs."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from conformance.report.junit import annotate_junit, junit_label
from conformance.summary.load import load_summary
from conformance.summary.model import RunSummary

from .conftest import CANARY_KEY, FaultRun, run_cli
from .factory import GATEWAY_401, check, diagnosis, evidence, summary

RAW = "conformance.core.errors.CheckFailure: the key in api-key was not accepted: HTTP 401"
JUNIT = f"""<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite
name="pytest" errors="0" failures="2" skipped="0" tests="3"><testcase classname="test_auth"
name="AUTH-API-KEY" file="test_auth.py" line="47"><failure message="{RAW}">E   {RAW}</failure>
<system-out>requests of this case (1)</system-out></testcase><testcase classname="test_auth"
name="AUTH-BAD-KEY[api-key]"><failure message="boom">E   boom</failure></testcase><testcase
classname="test_x" name="MSG-BASIC" /></testsuite></testsuites>"""


def _run() -> RunSummary:
    refused = evidence(5, status=401, error_body=GATEWAY_401, request_id=None)
    bad_key = check("AUTH-BAD-KEY", "failed", params={"header": "api-key"})
    return summary(
        [
            check("AUTH-API-KEY", "failed", diagnoses=["api-key-header-rejected"],
                  evidence=[refused]),
            replace(bad_key, case="test_auth.py::test_wrong_key[api-key]"),
            check("MSG-BASIC"),
        ],
        [diagnosis("api-key-header-rejected", "warning", checks=["AUTH-API-KEY"])],
        verdict="nonconformant",
    )  # fmt: skip


def _cases(text: str) -> dict[str, ET.Element]:
    return {case.get("name", ""): case for case in ET.fromstring(text).iter("testcase")}


def test_the_message_leads_with_the_code_and_remedy_then_the_raw_failure() -> None:
    cases = _cases(annotate_junit(JUNIT, _run()))
    failure = cases["AUTH-API-KEY"].find("failure")
    assert failure is not None
    assert failure.get("message") == (
        "api-key-header-rejected: What to do about api-key-header-rejected: send `x-api-key`. — "
        "the key in api-key was not accepted: HTTP 401"
    )
    text = failure.text or ""
    assert text.startswith(f"E   {RAW}\n\ndiagnoses:\n")
    assert "  api-key-header-rejected (warning): Title of api-key-header-rejected\n" in text
    assert (
        "requests of this case (1):\n  #5 POST /anthropic/v1/messages → 401  request-id: —" in text
    )
    assert cases["AUTH-API-KEY"].findtext("system-out") == "requests of this case (1)"


def test_a_case_without_diagnosis_keeps_its_message_and_passing_cases_are_untouched() -> None:
    cases = _cases(annotate_junit(JUNIT, _run()))
    failure = cases["AUTH-BAD-KEY[api-key]"].find("failure")
    assert failure is not None and failure.get("message") == "boom"
    assert list(cases["MSG-BASIC"]) == []


def test_a_file_that_is_not_xml_is_left_as_it_is() -> None:
    assert annotate_junit("<testsuites><unclosed>", _run()) == "<testsuites><unclosed>"


@pytest.mark.parametrize(
    ("check_id", "case", "label"),
    [
        ("AUTH-BAD-KEY", "test_auth.py::test_wrong_key[api-key]", "AUTH-BAD-KEY[api-key]"),
        ("MSG-BASIC", "conformance/suite/test_messages.py::test_basic", "MSG-BASIC"),
        ("DEP-SERVES", "test_d.py::test_serves[claude-opus-5-5]", "DEP-SERVES[claude-opus-5-5]"),
    ],
)
def test_cases_are_found_by_the_name_the_junit_extras_give_them(
    check_id: str, case: str, label: str
) -> None:
    assert junit_label(replace(check(check_id), case=case)) == label


# -- a real run: the emulator refuses the key in api-key ------------------------------------------


@pytest.fixture(scope="module")
def api_key_rejected(tmp_path_factory: pytest.TempPathFactory) -> FaultRun:
    """``foundry-conformance run --emulator api-key-rejected --select auth``."""
    base = tmp_path_factory.mktemp("api-key-rejected")
    return run_cli(base, CANARY_KEY, "--emulator", "api-key-rejected", "--select", "auth")


def test_a_real_runs_junit_failure_says_what_to_do(api_key_rejected: FaultRun) -> None:
    assert api_key_rejected.exit_code == 1
    run = load_summary(api_key_rejected.report_dir / "summary.json")
    refused = next(c for c in run.checks if c.id == "AUTH-API-KEY")
    remedy = next(d.remedy for d in run.diagnoses if d.code == "api-key-header-rejected")
    failure = _cases(api_key_rejected.text("junit.xml"))["AUTH-API-KEY"].find("failure")
    assert failure is not None
    message = failure.get("message") or ""
    assert message.startswith(f"api-key-header-rejected: {remedy} — the key in api-key was not ")
    assert remedy.startswith("Send the key in `x-api-key`")
    text = failure.text or ""
    assert "CheckFailure: the key in api-key was not accepted" in text  # the detail stays
    assert f"apim-request-id: {refused.evidence[0].apim_request_id}" in text
    assert run.secret_scan.clean and CANARY_KEY not in api_key_rejected.text("junit.xml")


def test_every_failed_case_of_a_fault_run_names_its_diagnoses(fault_run: FaultRun) -> None:
    cases = _cases(fault_run.text("junit.xml"))
    run = load_summary(Path(fault_run.report_dir) / "summary.json")
    annotated = 0
    for result in run.checks:
        if result.status not in ("failed", "error") or not result.diagnoses:
            continue
        element = next(e for e in cases[junit_label(result)] if e.tag in ("failure", "error"))
        assert (element.get("message") or "").startswith(f"{result.diagnoses[0]}: ")
        annotated += 1
    assert annotated >= 2

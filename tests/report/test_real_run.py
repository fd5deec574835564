"""The artifacts of a real fault-profile run: report, ticket, JUnit and pytest-html, and no secret."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from conformance.report import render_html, render_ticket
from conformance.summary.load import load_summary

from .conftest import CANARY_KEY, FaultRun
from .test_html import assert_self_contained


def test_the_run_is_nonconformant_and_writes_the_report_and_the_ticket(fault_run: FaultRun) -> None:
    assert fault_run.exit_code == 1
    summary = load_summary(fault_run.report_dir / "summary.json")
    # What is on disk is what the writers make of summary.json, scan result included.
    assert fault_run.text("diagnosis.html") == render_html(summary)
    assert fault_run.text("support-ticket.md") == render_ticket(summary)
    assert summary.secret_scan.clean and summary.secret_scan.files_scanned >= 5


def test_the_ticket_holds_the_ids_of_every_failing_request(fault_run: FaultRun) -> None:
    ticket = fault_run.text("support-ticket.md")
    failing = [
        e
        for check in fault_run.failing_checks()
        for e in check["evidence"]
        if e["check"] == check["id"] and (e["status"] is None or e["status"] >= 400)
    ]
    assert failing, "the fault profiles make requests fail"
    for evidence in failing:
        for key in ("request_id", "apim_request_id", "client_request_id"):
            if evidence[key]:
                assert evidence[key] in ticket, (key, evidence)
    assert "**⚠ EMULATOR RUN — this proves nothing about Azure.**" in ticket
    assert '-H "api-key: $ANTHROPIC_FOUNDRY_API_KEY"' in ticket


def test_no_artifact_holds_the_key_the_emulator_echoed(fault_run: FaultRun) -> None:
    leaks = [
        path.name
        for path in fault_run.report_dir.rglob("*")
        if path.is_file() and CANARY_KEY in path.read_text("utf-8", errors="replace")
    ]
    assert leaks == []
    assert "[REDACTED]" in fault_run.text("support-ticket.md")  # the echoed key, scrubbed


def test_the_report_is_self_contained_and_names_the_verdict(fault_run: FaultRun) -> None:
    page = fault_run.text("diagnosis.html")
    assert_self_contained(page)
    assert 'data-verdict="nonconformant">Non-conformant</h1>' in page


def test_junit_names_cases_by_check_and_carries_their_request_ids(fault_run: FaultRun) -> None:
    root = ET.fromstring(fault_run.text("junit.xml"))
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert {"EP-REACH", "AUTH-API-KEY", "AUTH-BAD-KEY[api-key]", "AUTH-RBAC", "RL-429"} <= set(
        cases
    )
    assert not any(name and name.startswith("test_") for name in cases)
    refused = fault_run.summary["checks"]
    auth_api_key = next(c for c in refused if c["id"] == "AUTH-API-KEY")
    out = cases["AUTH-API-KEY"].findtext("system-out") or ""
    assert auth_api_key["evidence"][0]["apim_request_id"] in out
    assert "requests of this case (1):" in out


def test_pytest_html_has_a_check_column_and_redacted_transcripts(fault_run: FaultRun) -> None:
    page = fault_run.text("pytest-report.html")
    assert "data-column-type=&#34;check&#34;" in page or 'data-column-type="check"' in page
    assert "col-check" in page and "AUTH-BAD-KEY[api-key]" in page
    assert "foundry-transcript" in page and "Requests of AUTH-API-KEY" in page
    assert "api-key: [REDACTED]" in page


def test_junit_counts_the_cases_as_the_summary_does_a_case_that_could_not_judge_an_error(
    fault_run: FaultRun,
) -> None:
    root = ET.fromstring(fault_run.text("junit.xml"))
    (suite,) = root.iter("testsuite")
    counts = fault_run.summary["counts"]
    assert counts["errors"] >= 1, "the server-error profile leaves a check unable to judge"
    assert (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        str(counts["failed"]),
        str(counts["errors"]),
        str(counts["skipped"]),
    )
    errors = [c for c in fault_run.summary["checks"] if c["status"] == "error"]
    cases = {case.get("name"): case for case in root.iter("testcase")}
    for check in errors:
        params = "-".join(check["params"].values())
        element = cases[check["id"] + (f"[{params}]" if params else "")].find("error")
        assert element is not None, check["id"]
        said = check["reason"].removeprefix("could not judge: ")[:40]
        assert said in (element.get("message") or ""), (said, element.get("message"))

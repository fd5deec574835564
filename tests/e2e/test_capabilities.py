"""The capability matrix end to end, through the real CLI against the real emulator: the hosting
options as the emulator plays them, an endpoint that accepts every capability and ignores it, a
user's profile that documents as supported what the endpoint refuses (and the reverse), the
standard suite's cost, a spent budget, and the matrix in summary.json, JUnit, the terminal, the
ticket and the report."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.core.capability import CAPABILITY_CHECKS
from conformance.emulator import parse_profiles
from conformance.emulator.server import EmulatorServer
from tests.platform_facts import PROFILE

from .conftest import CliRun

CAPABILITIES = [check_id for check_id, *_ in CAPABILITY_CHECKS]
SONNET = "claude-sonnet-5-5"
ONE = ("--deployment", SONNET)
CANARY_KEY = "canary-key-DO-NOT-LEAK-5d1f8e2a9c4b7a60e3f1"
# The feature each hosting option's emulator refuses, as the profile words it (Azure: the
# conflicting and unsupported ones; Anthropic: none).
AZURE_REFUSES = {
    "CAP-STRICT-TOOLS",
    "CAP-STRUCTURED-OUTPUT",
    "CAP-WEB-SEARCH",
    "CAP-WEB-FETCH",
    "CAP-CODE-EXECUTION",
    "CAP-TOOL-SEARCH",
    "CAP-MCP-CONNECTOR",
}
NOT_SERVED_ON_AZURE = {"CAP-FILES-API", "CAP-SKILLS-API"}
SOURCE = """
[sources.my-notes]
title = "Our own notes on the platform"
url = ""
date = "2026-11-20"
"""


def cells(result: CliRun, deployment: str = SONNET) -> dict[str, dict[str, Any]]:
    """The matrix's cells of ``deployment`` in the run's summary.json."""
    column = result.summary["capabilities"][deployment]
    found: dict[str, dict[str, Any]] = column["cells"]
    return found


def statuses(result: CliRun, deployment: str = SONNET) -> dict[str, str]:
    return {check_id: cell["status"] for check_id, cell in cells(result, deployment).items()}


@pytest.fixture
def standalone(clean_env: pytest.MonkeyPatch) -> Iterator[Callable[[str], EmulatorServer]]:
    """An emulator started elsewhere, with the built-in profile (the run may bring its own)."""
    clean_env.setenv("ANTHROPIC_FOUNDRY_API_KEY", CANARY_KEY)
    servers: list[EmulatorServer] = []

    def start(profiles: str) -> EmulatorServer:
        server = EmulatorServer(config=parse_profiles(profiles), api_key=CANARY_KEY)
        servers.append(server.__enter__())
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


def matrix_section(result: CliRun) -> list[str]:
    """The lines of the ticket's section on the capability matrix (none without one)."""
    lines = (result.report_dir / "support-ticket.md").read_text("utf-8").splitlines()
    title = "## Capabilities that do not work as documented"
    if title not in lines:
        return []
    rest = lines[lines.index(title) + 1 :]
    ends = [i for i, line in enumerate(rest) if line.startswith("## ")]
    return rest[: ends[0] if ends else len(rest)]


def _profile(tmp_path: Path, text: str) -> str:
    path = tmp_path / "my-profile.toml"
    path.write_text(text + SOURCE, "utf-8")
    return str(path)


# -- the hosting options ---------------------------------------------------------------------


def test_hosted_on_azure_refuses_what_its_docs_leave_open_and_the_matrix_says_so(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "hosted-on-azure", "--select", "capabilities", *ONE)
    assert result.exit_code == 0, result.output
    assert result.summary["verdict"] == "conformant"
    seen = statuses(result)
    assert list(seen) == CAPABILITIES
    refused = {c for c, s in seen.items() if s == "refused"}
    assert refused == AZURE_REFUSES | NOT_SERVED_ON_AZURE
    assert {s for c, s in seen.items() if c not in refused} == {"supported"}
    structured = cells(result)["CAP-STRUCTURED-OUTPUT"]
    # The sources conflict: the refusal settles it for this deployment, and both sides stay shown.
    assert structured["expected"] == "varies" and structured["drift"] == ""
    assert structured["expected_by_option"] == {"azure": "conflicting", "anthropic": "supported"}
    assert (
        "the sources conflict (Hosted on Azure: Microsoft's Sep-2026 matrix" in structured["reason"]
    )
    assert "refused with the field's wording: HTTP 400" in structured["reason"]
    assert structured["diagnoses"] == ["feature-not-available"]
    assert structured["evidence"][0]["request_id"]
    code = cells(result)["CAP-CODE-EXECUTION"]
    assert code["reason"].startswith("refused, as documented for Hosted on Azure — ")
    files = cells(result)["CAP-FILES-API"]
    assert "not served: HTTP 404" in files["reason"]
    assert "feature-not-available" in result.codes()
    assert f"capabilities of {SONNET}: 16 supported, 9 refused, 0 not honoured, 0 not judged" in (
        result.output
    )


def test_hosted_on_anthropic_serves_every_capability(run_cli: Callable[..., CliRun]) -> None:
    result = run_cli("--emulator", "hosted-on-anthropic", "--select", "capabilities", *ONE)
    assert result.exit_code == 0, result.output
    assert set(statuses(result).values()) == {"supported"}
    reasons = {c: cell["reason"] for c, cell in cells(result).items()}
    assert "a signed thinking block" in reasons["CAP-THINKING-ADAPTIVE"]
    assert "JSON valid against the requested schema" in reasons["CAP-STRUCTURED-OUTPUT"]
    assert "a char_location citation" in reasons["CAP-CITATIONS"]
    assert "read from the cache" in reasons["CAP-CACHING-1H"]
    assert "a listing of 0 items" in reasons["CAP-FILES-API"]
    assert "this deployment settles it" in reasons["CAP-WEB-SEARCH"]  # Azure's side conflicts


# -- accepted but not honoured ---------------------------------------------------------------


def test_an_endpoint_that_ignores_what_it_accepts_is_caught_in_every_output(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "features-ignored", *ONE)
    assert result.exit_code == 1
    ignored = {c for c, s in statuses(result).items() if s == "not-honoured"}
    # The standard suite probes what the profile leaves open: the open ones that answer content.
    assert ignored == {"CAP-STRICT-TOOLS", "CAP-STRUCTURED-OUTPUT", "CAP-OUTPUT-FORMAT"}
    for check_id in ignored:
        cell = cells(result)[check_id]
        assert cell["check_status"] == "failed"
        assert cell["reason"].startswith("accepted, but not honoured: ")
        assert "feature-not-honoured" in cell["diagnoses"]
    assert "JSON" in cells(result)["CAP-STRUCTURED-OUTPUT"]["reason"]
    assert "feature-not-honoured" in result.codes()
    assert "off the docs: CAP-STRICT-TOOLS not honoured, CAP-STRUCTURED-OUTPUT not honoured" in (
        result.output
    )
    section = matrix_section(result)
    for check_id in ignored:
        (row,) = [line for line in section if f"| {check_id} |" in line]
        assert "accepted, but not honoured" in row
        assert cells(result)[check_id]["evidence"][0]["request_id"] in row
    page = (result.report_dir / "diagnosis.html").read_text("utf-8")
    assert '<tr id="cap-CAP-STRUCTURED-OUTPUT" class="has-finding">' in page


def test_the_full_suite_catches_every_capability_an_endpoint_ignores(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "features-ignored", "--select", "capabilities", *ONE)
    ignored = {c for c, s in statuses(result).items() if s == "not-honoured"}
    assert ignored == {
        "CAP-STREAMING",
        "CAP-TOOLS",
        "CAP-STRICT-TOOLS",
        "CAP-STRUCTURED-OUTPUT",
        "CAP-OUTPUT-FORMAT",
        "CAP-THINKING-ADAPTIVE",
        "CAP-THINKING-ENABLED",
        "CAP-IMAGES",
        "CAP-PDF",
        "CAP-CITATIONS",
        "CAP-SEARCH-RESULTS",
        "CAP-CACHING-5M",
        "CAP-CACHING-1H",
        "CAP-CONTEXT-EDITING",
        "CAP-COUNT-TOKENS-TOOLS",
    }
    # What only acceptance can show, and what the emulator still refuses, are judged as such.
    assert {c for c, s in statuses(result).items() if s == "refused"} == {
        "CAP-CODE-EXECUTION",
        "CAP-FILES-API",
        "CAP-SKILLS-API",
    }


# -- drift against the profile, both ways ----------------------------------------------------


def test_a_feature_the_user_s_profile_documents_but_the_endpoint_refuses_is_a_ticket(
    run_cli: Callable[..., CliRun],
    standalone: Callable[[str], EmulatorServer],
    tmp_path: Path,
) -> None:
    server = standalone("hosted-on-azure")
    profile = _profile(
        tmp_path,
        '[hosting.azure.features]\nweb_search = { status = "supported", source = ["my-notes"], '
        'confidence = "documented" }\n',
    )
    args = ("--base-url", server.base_url, "--platform-profile", profile)
    result = run_cli(*args, "--select", "CAP-WEB-SEARCH", *ONE)
    assert result.exit_code == 1, result.output
    cell = cells(result)["CAP-WEB-SEARCH"]
    assert (cell["status"], cell["drift"], cell["check_status"]) == (
        "refused",
        "documented-feature-refused",
        "failed",
    )
    assert cell["expected"] == "supported"
    assert cell["reason"].startswith(
        "documented as supported (Hosted on Azure: supported; Hosted on Anthropic "
        "infrastructure: supported), but refused here"
    )
    assert {"documented-feature-refused", "feature-not-available"} <= set(cell["diagnoses"])
    assert result.summary["capabilities"][SONNET]["profile"]["source"] == f"built-in + {profile}"
    assert "off the docs: CAP-WEB-SEARCH refused" in result.output
    (row,) = [line for line in matrix_section(result) if "| CAP-WEB-SEARCH |" in line]
    evidence = cell["evidence"][0]
    assert "documented as supported, refused here" in row
    assert evidence["request_id"] in row and evidence["apim_request_id"] in row
    assert "server-side web search is not available in this environment" in row
    assert CANARY_KEY not in (result.report_dir / "support-ticket.md").read_text("utf-8")


def test_a_feature_the_user_s_profile_calls_unsupported_but_is_accepted_is_drift_of_the_docs(
    run_cli: Callable[..., CliRun],
    standalone: Callable[[str], EmulatorServer],
    tmp_path: Path,
) -> None:
    server = standalone("hosted-on-anthropic")
    profile = _profile(
        tmp_path,
        '[hosting.anthropic.features]\ncode_execution = { status = "unsupported", source = '
        '["my-notes"], confidence = "documented" }\n',
    )
    args = ("--base-url", server.base_url, "--platform-profile", profile, *ONE)
    result = run_cli(*args)  # the standard suite probes it: no option documents it now
    assert result.exit_code == 1, result.output
    cell = cells(result)["CAP-CODE-EXECUTION"]
    assert (cell["status"], cell["drift"], cell["expected"]) == (
        "supported",
        "unsupported-feature-accepted",
        "unsupported",
    )
    assert "documentation (and the platform profile) is out of date" in cell["reason"]
    assert cell["diagnoses"] == ["unsupported-feature-accepted"]
    assert result.failing() == {"CAP-CODE-EXECUTION"}
    # Not a support ticket: the documentation, not the endpoint, is behind.
    assert matrix_section(result) == []


# -- cost, budget, outputs -------------------------------------------------------------------


def test_the_standard_matrix_is_cheap_and_the_run_stays_within_a_payg_minute(
    run_cli: Callable[..., CliRun], standalone: Callable[[str], EmulatorServer]
) -> None:
    server = standalone("default")
    result = run_cli("--base-url", server.base_url)
    assert result.exit_code == 0, result.output
    deployments = list(PROFILE.emulator_deployments)
    assert list(result.summary["capabilities"]) == deployments
    for name in deployments:
        cost = result.summary["capabilities"][name]["cost"]
        assert cost["input_tokens"] + cost["output_tokens"] <= 1500, (name, cost)
        assert cost["cache_write_tokens"] == 0  # caching is opt-in
        assert server.usage(name)["requests"] <= PROFILE.quota.payg.rpm, name
    # The cells not probed say why, and how to probe them.
    for cell in cells(result).values():
        if cell["status"] == "not-judged":
            assert "--suite full" in cell["reason"], cell
    # JUnit: one case per capability and deployment, named by check ID.
    names = {
        case.get("name") for case in ET.parse(result.report_dir / "junit.xml").iter("testcase")
    }
    assert {f"{c}[{d}]" for c in CAPABILITIES for d in deployments} <= names


def test_the_matrix_counts_against_the_budget_and_says_what_it_did_not_probe(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "--select", "capabilities", *ONE, "--max-requests", "12")
    assert result.summary["usage"]["requests"] <= 12
    column = result.summary["capabilities"][SONNET]
    assert column["cost"]["requests"] <= 12
    unprobed = [c for c in column["cells"].values() if c["reason"].startswith("not run: ")]
    assert unprobed and all(c["status"] == "not-judged" for c in unprobed)
    # Cut short with nothing failed: incomplete, never conformant.
    assert (result.summary["verdict"], result.exit_code) == ("incomplete", 5)


def test_a_caching_probe_s_cache_writes_are_the_matrix_s_cost_and_the_budget_s(
    run_cli: Callable[..., CliRun],
) -> None:
    result = run_cli("--emulator", "--select", "CAP-CACHING-", *ONE, "--jobs", "1")
    cost = result.summary["capabilities"][SONNET]["cost"]
    assert cost["requests"] == 4 and cost["cache_write_tokens"] > 2 * 1000
    assert cost["cache_read_tokens"] == cost["cache_write_tokens"]
    assert "written to the prompt cache" in result.output
    # Writes are billed input: a budget below them stops the second probe.
    budget = str(cost["cache_write_tokens"] // 2)
    small = run_cli(
        "--emulator", "--select", "CAP-CACHING-", *ONE, "--jobs", "1", "--max-tokens", budget
    )
    reasons = [c["reason"] for c in small.summary["capabilities"][SONNET]["cells"].values()]
    assert any(r.startswith("not run: ") for r in reasons), reasons

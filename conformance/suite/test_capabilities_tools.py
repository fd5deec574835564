"""The capability matrix, continued: the server tools, the MCP connector, the Files and Skills
APIs. Acceptance only, and nothing billed per call: each server tool is declared with
``tool_choice: none``, so the request shows whether the deployment takes it without making it
run; the MCP connector names a server under ``.invalid`` (which never resolves); the APIs are
listed, never written to."""

from __future__ import annotations

import pytest

from ..judge import capabilities as judge
from ..target.run import FoundryRun
from . import capability_bodies as bodies
from .capability_probe import Probe
from .helpers import RecordProperty

check = pytest.mark.foundry_check


def _server_tool(run: FoundryRun, check_id: str, deployment: str, record: RecordProperty) -> None:
    probe = Probe.start(run, check_id, deployment, record)
    answer = probe.post(bodies.server_tool(probe.deployment, probe.facts))
    what = f"`{probe.facts.tool_type}` declared and accepted (acceptance only: tool_choice none)"
    probe.conclude(judge.judge_message(answer, run.settings.profile, judge.accepted(what)))


@check("CAP-WEB-SEARCH")
def test_web_search(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """The web search tool is accepted (not run: searches are billed per call)."""
    _server_tool(foundry_run, "CAP-WEB-SEARCH", deployment, record_property)


@check("CAP-WEB-FETCH")
def test_web_fetch(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """The web fetch tool is accepted (not run)."""
    _server_tool(foundry_run, "CAP-WEB-FETCH", deployment, record_property)


@check("CAP-CODE-EXECUTION")
def test_code_execution(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """The code execution tool is accepted (not run: containers are billed)."""
    _server_tool(foundry_run, "CAP-CODE-EXECUTION", deployment, record_property)


@check("CAP-TOOL-SEARCH")
def test_tool_search(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """The tool search tool, with one deferred tool to find, is accepted (not run)."""
    _server_tool(foundry_run, "CAP-TOOL-SEARCH", deployment, record_property)


@check("CAP-MCP-CONNECTOR")
def test_mcp_connector(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """``mcp_servers`` with an ``mcp_toolset`` (beta header) is accepted (acceptance only)."""
    probe = Probe.start(foundry_run, "CAP-MCP-CONNECTOR", deployment, record_property)
    answer = probe.post(bodies.mcp_connector(probe.deployment))
    evidence = judge.accepted("mcp_servers accepted (acceptance only: tool_choice none)")
    profile = foundry_run.settings.profile
    probe.conclude(judge.judge_message(answer, profile, evidence, unsure=bodies.MCP_UNSURE))


def _listing(run: FoundryRun, check_id: str, deployment: str, record: RecordProperty) -> None:
    probe = Probe.start(run, check_id, deployment, record)
    route = next(r for r in run.settings.profile.hosted_routes if r.name == probe.facts.api)
    answer = probe.get(route.path)
    probe.conclude(judge.judge_message(answer, run.settings.profile, judge.listed, listing=True))


@check("CAP-FILES-API")
def test_files_api(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """``GET /v1/files`` (beta header) answers a listing (free; nothing is uploaded)."""
    _listing(foundry_run, "CAP-FILES-API", deployment, record_property)


@check("CAP-SKILLS-API")
def test_skills_api(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """``GET /v1/skills`` (beta header) answers a listing (free; nothing is created)."""
    _listing(foundry_run, "CAP-SKILLS-API", deployment, record_property)

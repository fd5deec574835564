"""Hosting options: which features a body uses, which the option played refuses, in which wording,
and the APIs only Hosted on Anthropic serves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.core.platform_load import builtin_profile
from conformance.emulator import bodies
from conformance.emulator.features import features_used, refusal_message
from conformance.emulator.logic import Emulator

from .conftest import message_body, request

PROFILE = builtin_profile()
AZURE = PROFILE.hosting["azure"].features
Make = Callable[..., Emulator]
SCHEMA = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}
TOOL = {"name": "lookup", "input_schema": SCHEMA}
FILE_IMAGE = {"type": "image", "source": {"type": "file", "file_id": "file_011"}}

# One body per feature, using only it.
BODIES: dict[str, dict[str, Any]] = {
    "structured_outputs": message_body(
        output_config={"format": {"type": "json_schema", "schema": SCHEMA}}
    ),
    "strict_tools": message_body(tools=[{**TOOL, "strict": True}]),
    "web_search": message_body(tools=[{"type": "web_search_20250305", "name": "web_search"}]),
    "web_fetch": message_body(tools=[{"type": "web_fetch_20250910", "name": "web_fetch"}]),
    "code_execution": message_body(
        tools=[{"type": "code_execution_20250825", "name": "code_execution"}]
    ),
    "tool_search": message_body(
        tools=[{"type": "tool_search_tool_bm25_20251119", "name": "tool_search_tool_bm25"}]
    ),
    "mcp_connector": message_body(
        mcp_servers=[{"type": "url", "url": "https://example.com/sse", "name": "docs"}]
    ),
    "agent_skills": message_body(
        container={"skills": [{"type": "anthropic", "skill_id": "pptx", "version": "latest"}]}
    ),
    "programmatic_tool_calling": message_body(
        tools=[{**TOOL, "allowed_callers": ["code_execution_20250825"]}]
    ),
    "files_api": message_body(messages=[{"role": "user", "content": [FILE_IMAGE]}]),
    "context_editing": message_body(context_management={"edits": []}),
}
BETA = {"anthropic-beta": "mcp-client-2025-11-20,context-management-2025-06-27"}


@pytest.mark.parametrize("feature", sorted(BODIES))
def test_each_feature_is_seen_in_its_body(feature: str) -> None:
    assert features_used(BODIES[feature], PROFILE) == (feature,)


def test_plain_requests_use_no_feature() -> None:
    assert features_used(message_body(tools=[TOOL], system="Be brief.", stream=True), PROFILE) == ()


def test_defer_loading_is_tool_search() -> None:
    assert features_used(message_body(tools=[{**TOOL, "defer_loading": True}]), PROFILE) == (
        "tool_search",
    )


@pytest.mark.parametrize(
    "refused",
    [[feature] for feature in PROFILE.hosting["azure"].features]
    + [["mcp_connector", "strict_tools"], ["web_search", "web_fetch"]],
    ids=str,
)
def test_every_refusal_reads_back_as_the_features_it_refuses(refused: list[str]) -> None:
    message = refusal_message(refused, PROFILE)
    assert PROFILE.refused_features(message) == tuple(refused), message


def test_the_three_field_wordings_are_all_used() -> None:
    used = {
        refusal_message(["structured_outputs"], PROFILE),
        refusal_message(["mcp_connector", "strict_tools"], PROFILE),
        refusal_message(["web_search"], PROFILE),
    }
    assert used == {
        "structured_outputs not supported in your workspace.",
        "The following features are not available for Azure AI Foundry workspaces: "
        "mcp_servers, strict",
        "server-side web search is not available in this environment",
    }
    for refusal in PROFILE.feature_refusals:
        assert any(refusal.pattern.search(message) for message in used)


def _statuses(emulator: Emulator) -> dict[str, int]:
    return {f: emulator.handle(request(body=b, headers=BETA)).status for f, b in BODIES.items()}


def test_by_default_only_what_microsoft_marks_unsupported_is_refused(make_emulator: Make) -> None:
    statuses = _statuses(make_emulator())
    refused = {f for f, status in statuses.items() if status == 400}
    assert refused == {f for f in BODIES if AZURE[f].status == "unsupported"}
    assert "code_execution" in refused and "structured_outputs" not in refused
    assert set(statuses.values()) <= {200, 400}


def test_hosted_on_azure_also_refuses_what_the_sources_disagree_on(make_emulator: Make) -> None:
    emulator = make_emulator("hosted-on-azure")
    for feature, body in BODIES.items():
        reply = emulator.handle(request(body=body, headers=BETA))
        if AZURE[feature].status in ("unsupported", "conflicting"):
            assert reply.status == 400, feature
            error = reply.json()["error"]
            assert error["type"] == "invalid_request_error"
            assert PROFILE.refused_features(error["message"]) == (feature,)
            assert reply.header("request-id") == reply.json()["request_id"]
        else:
            assert reply.status == 200, (feature, reply.body)


def test_hosted_on_anthropic_accepts_every_feature(make_emulator: Make) -> None:
    assert set(_statuses(make_emulator("hosted-on-anthropic")).values()) == {200}


def test_several_refused_features_are_named_together(make_emulator: Make) -> None:
    body = {**BODIES["structured_outputs"], "mcp_servers": BODIES["mcp_connector"]["mcp_servers"]}
    reply = make_emulator("hosted-on-azure").handle(request(body=body, headers=BETA))
    assert PROFILE.refused_features(reply.json()["error"]["message"]) == (
        "structured_outputs",
        "mcp_connector",
    )


@pytest.mark.parametrize("path", ["/anthropic/v1/files", "/anthropic/v1/skills"])
def test_files_and_skills_are_served_only_where_the_option_lists_them(
    make_emulator: Make, path: str
) -> None:
    for profiles in ("", "hosted-on-azure"):
        reply = make_emulator(profiles).handle(request(path, method="GET"))
        assert (reply.status, reply.json()) == (404, bodies.api_not_supported())
        assert reply.header("request-id") is None
    anthropic = make_emulator("hosted-on-anthropic")
    listing = anthropic.handle(request(path, method="GET"))
    assert listing.status == 200
    assert listing.json() == {"data": [], "has_more": False, "first_id": None, "last_id": None}
    # The listing is all there is; it still needs auth and a version, as the API does.
    assert anthropic.handle(request(path, method="GET", auth={})).status == 401
    assert anthropic.handle(request(path, method="GET", version=False)).status == 400
    assert anthropic.handle(request(path + "/x_011", method="GET")).status == 404

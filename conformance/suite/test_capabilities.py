"""The capability matrix: one case per capability and deployment, each the smallest request that
proves the capability accepted *and honoured*, judged against what the platform profile says of
the deployment's model on the hosting options that offer it (``capability_probe``).

This module holds the capabilities of the answer itself (streaming, tools, structured outputs,
thinking, effort, system messages, media, citations, caching, context editing, token counting);
``test_capabilities_tools`` holds the server tools, the MCP connector and the listing APIs.
"""

from __future__ import annotations

import pytest

from ..core.platform import EFFORT_LEVELS
from ..judge import capabilities as judge
from ..judge.schema import schema_problems
from ..target.run import FoundryRun
from . import capability_bodies as bodies
from .capability_probe import Probe
from .helpers import RecordProperty

check = pytest.mark.foundry_check


def _schema(value: object) -> list[str]:
    return schema_problems(value, bodies.SCHEMA)


@check("CAP-STREAMING")
def test_streaming(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """A streamed request is answered as an SSE stream (``message_start`` … ``message_stop``)."""
    probe = Probe.start(foundry_run, "CAP-STREAMING", deployment, record_property)
    answer = probe.stream(bodies.streamed(probe.deployment))
    probe.conclude(judge.judge_stream(answer, foundry_run.settings.profile))


@check("CAP-TOOLS")
def test_custom_tools(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """A custom tool forced with ``tool_choice`` is called, with input valid for its schema."""
    probe = Probe.start(foundry_run, "CAP-TOOLS", deployment, record_property)
    answer = probe.post(bodies.forced_tool(probe.deployment))
    evidence = judge.tool_called(bodies.TOOL["name"], _schema)
    probe.conclude(judge.judge_message(answer, foundry_run.settings.profile, evidence))


@check("CAP-STRICT-TOOLS")
def test_strict_tools(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """A ``strict: true`` tool is called with input that validates against its schema."""
    probe = Probe.start(foundry_run, "CAP-STRICT-TOOLS", deployment, record_property)
    answer = probe.post(bodies.forced_tool(probe.deployment, strict=True))
    evidence = judge.tool_called(bodies.TOOL["name"], _schema)
    probe.conclude(judge.judge_message(answer, foundry_run.settings.profile, evidence))


@check("CAP-STRUCTURED-OUTPUT")
def test_structured_outputs(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """``output_config.format`` answers JSON that validates against the requested schema."""
    probe = Probe.start(foundry_run, "CAP-STRUCTURED-OUTPUT", deployment, record_property)
    answer = probe.post(bodies.json_output(probe.deployment))
    evidence = judge.json_answered(_schema)
    probe.conclude(judge.judge_message(answer, foundry_run.settings.profile, evidence))


@check("CAP-OUTPUT-FORMAT")
def test_legacy_output_format(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """The legacy ``output_format`` (beta) answers JSON valid against the requested schema."""
    probe = Probe.start(foundry_run, "CAP-OUTPUT-FORMAT", deployment, record_property)
    answer = probe.post(bodies.json_output(probe.deployment, legacy=True))
    evidence = judge.json_answered(_schema)
    probe.conclude(judge.judge_message(answer, foundry_run.settings.profile, evidence))


def _thinking(
    run: FoundryRun, check_id: str, kind: str, deployment: str, record: RecordProperty
) -> None:
    probe = Probe.start(run, check_id, deployment, record)
    answer = probe.post(bodies.thinking(probe.deployment, kind))
    evidence = judge.thinking_absent if kind == "disabled" else judge.thinking_shown
    probe.conclude(judge.judge_message(answer, run.settings.profile, evidence))


@check("CAP-THINKING-ADAPTIVE")
def test_adaptive_thinking(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """``thinking: {type: adaptive}`` answers a question worth thinking about with a signed
    thinking block."""
    _thinking(foundry_run, "CAP-THINKING-ADAPTIVE", "adaptive", deployment, record_property)


@check("CAP-THINKING-ENABLED")
def test_manual_thinking(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """``thinking: {type: enabled, budget_tokens: 1024}`` answers with a signed thinking block."""
    _thinking(foundry_run, "CAP-THINKING-ENABLED", "enabled", deployment, record_property)


@check("CAP-THINKING-DISABLED")
def test_thinking_disabled(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """``thinking: {type: disabled}`` answers without a thinking block."""
    _thinking(foundry_run, "CAP-THINKING-DISABLED", "disabled", deployment, record_property)


@check("CAP-EFFORT")
def test_effort(foundry_run: FoundryRun, deployment: str, record_property: RecordProperty) -> None:
    """The model's lowest effort level is accepted (one answer cannot show how hard it tried)."""
    probe = Probe.start(foundry_run, "CAP-EFFORT", deployment, record_property)
    levels = probe.model.effort if probe.model is not None and probe.model.effort else EFFORT_LEVELS
    answer = probe.post(bodies.effort(probe.deployment, levels[0]))
    evidence = judge.accepted(f"effort {levels[0]!r} accepted (acceptance only)")
    probe.conclude(judge.judge_message(answer, foundry_run.settings.profile, evidence))


@check("CAP-SYSTEM-MIDCONV")
def test_mid_conversation_system(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """A ``role: "system"`` message mid-conversation is accepted where the model takes it."""
    probe = Probe.start(foundry_run, "CAP-SYSTEM-MIDCONV", deployment, record_property)
    answer = probe.post(bodies.mid_conversation_system(probe.deployment))
    evidence = judge.accepted("a mid-conversation system message accepted (acceptance only)")
    probe.conclude(judge.judge_message(answer, foundry_run.settings.profile, evidence))


def _media(
    run: FoundryRun, check_id: str, media: str, deployment: str, record: RecordProperty
) -> None:
    probe = Probe.start(run, check_id, deployment, record)
    with_it = probe.count(bodies.counted(probe.deployment, media))
    if with_it.status is not None and 200 <= with_it.status < 300:
        without = probe.count(bodies.counted(probe.deployment))
    else:
        without = with_it  # a refusal needs no baseline
    what = "the image" if media == "image" else "the PDF"
    probe.conclude(judge.judge_counted(with_it, without, run.settings.profile, what))


@check("CAP-IMAGES")
def test_images(foundry_run: FoundryRun, deployment: str, record_property: RecordProperty) -> None:
    """A base64 PNG is accepted and counted as input (count_tokens, with and without it: free)."""
    _media(foundry_run, "CAP-IMAGES", "image", deployment, record_property)


@check("CAP-PDF")
def test_pdf(foundry_run: FoundryRun, deployment: str, record_property: RecordProperty) -> None:
    """A base64 one-page PDF is accepted and counted as input (count_tokens: free)."""
    _media(foundry_run, "CAP-PDF", "pdf", deployment, record_property)


@check("CAP-CITATIONS")
def test_citations(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """A plain-text document with citations enabled is cited (a ``char_location`` citation)."""
    probe = Probe.start(foundry_run, "CAP-CITATIONS", deployment, record_property)
    answer = probe.post(bodies.cited_document(probe.deployment))
    evidence = judge.cited("char_location")
    probe.conclude(judge.judge_message(answer, foundry_run.settings.profile, evidence))


@check("CAP-SEARCH-RESULTS")
def test_search_results(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """A ``search_result`` block with citations enabled is cited (``search_result_location``)."""
    probe = Probe.start(foundry_run, "CAP-SEARCH-RESULTS", deployment, record_property)
    answer = probe.post(bodies.cited_search_result(probe.deployment))
    evidence = judge.cited("search_result_location")
    probe.conclude(judge.judge_message(answer, foundry_run.settings.profile, evidence))


def _caching(run: FoundryRun, check_id: str, deployment: str, record: RecordProperty) -> None:
    probe = Probe.start(run, check_id, deployment, record)
    ttl = probe.facts.ttl or "5m"
    tokens = run.settings.profile.cache_minimum(probe.model)
    body = bodies.cached(probe.deployment, ttl, tokens)
    first = probe.post(body)
    second = probe.post(body) if first.status is not None and 200 <= first.status < 300 else first
    prefix = round(tokens * bodies.FILLER_MARGIN)
    probe.conclude(judge.judge_cached(first, second, run.settings.profile, ttl, prefix))


@check("CAP-CACHING-5M")
def test_prompt_caching_5m(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """A prefix above the model's minimum, marked ``cache_control`` (5 minutes), sent twice: the
    second answer reads it from the cache."""
    _caching(foundry_run, "CAP-CACHING-5M", deployment, record_property)


@check("CAP-CACHING-1H")
def test_prompt_caching_1h(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """The same with the 1-hour TTL (written as ``ephemeral_1h_input_tokens``)."""
    _caching(foundry_run, "CAP-CACHING-1H", deployment, record_property)


@check("CAP-CONTEXT-EDITING")
def test_context_editing(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """``context_management`` with its beta header is accepted and the answer reports the edits
    it applied."""
    probe = Probe.start(foundry_run, "CAP-CONTEXT-EDITING", deployment, record_property)
    answer = probe.post(bodies.context_edited(probe.deployment, probe.facts))
    probe.conclude(
        judge.judge_message(answer, foundry_run.settings.profile, judge.context_reported)
    )


@check("CAP-COUNT-TOKENS-TOOLS")
def test_token_counting_with_tools(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """``count_tokens`` counts a tool definition (with and without it: free)."""
    probe = Probe.start(foundry_run, "CAP-COUNT-TOKENS-TOOLS", deployment, record_property)
    with_it = probe.count(bodies.counted(probe.deployment, tools=True))
    ok = with_it.status is not None and 200 <= with_it.status < 300
    without = probe.count(bodies.counted(probe.deployment)) if ok else with_it
    profile = foundry_run.settings.profile
    probe.conclude(judge.judge_counted(with_it, without, profile, "a tool"))

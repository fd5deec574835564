"""The emulator honours the capabilities its hosting option offers, so that client code can be
tested against it: signed thinking blocks (streamed as thinking_delta then signature_delta), JSON
valid against the requested schema, citations of the sources that enable them, cache writes and
reads above the model's minimum per model pool, server-tool blocks with canned results (never
under ``tool_choice: none``), context-editing reports and a refusal stop reason for the models
that have one. Every answer is a Message as the official SDK reads it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from anthropic.types import Message

from conformance.emulator.honour import CANNED_URL, REFUSAL_TRIGGER
from conformance.emulator.logic import Emulator
from conformance.judge.schema import schema_problems
from tests.platform_facts import PROFILE

from .conftest import DEPLOYMENT, FakeClock, message_body, request, sse_events

Make = Callable[..., Emulator]
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "ok": {"type": "boolean"},
        "colour": {"type": "string", "enum": ["amber", "teal"]},
        "tags": {"type": "array", "items": {"type": "integer"}, "minItems": 2},
        "where": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "additionalProperties": False,
        },
    },
    "required": ["ok", "colour", "tags", "where"],
    "additionalProperties": False,
}
FORMAT = {"type": "json_schema", "schema": SCHEMA}
DOCUMENT_TEXT = "The probe is amber. It was painted in 2026."
MINIMUM = PROFILE.cache_minimum(PROFILE.model(DEPLOYMENT))


def answer(emulator: Emulator, body: dict[str, Any], **headers: str) -> dict[str, Any]:
    """The 200 answer to ``body``, checked against the SDK's own ``Message`` type."""
    reply = emulator.handle(request(body=body, headers=headers or None))
    assert reply.status == 200, reply.body[:300]
    data: dict[str, Any] = reply.json()
    Message.model_validate(data)
    return data


def streamed(emulator: Emulator, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The data of each event of the streamed answer to ``body``."""
    reply = emulator.handle(request(body={**body, "stream": True}))
    assert reply.status == 200
    return [json.loads(data) for _, data in sse_events(reply)]


def deltas(events: list[dict[str, Any]]) -> list[str]:
    return [e["delta"]["type"] for e in events if e["type"] == "content_block_delta"]


# -- thinking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "thinking", [{"type": "adaptive"}, {"type": "enabled", "budget_tokens": 1024}]
)
def test_thinking_answers_with_a_signed_thinking_block_first(
    make_emulator: Make, thinking: dict[str, Any]
) -> None:
    body = message_body(thinking=thinking, max_tokens=2048)
    message = answer(make_emulator(), body)
    first, *rest = message["content"]
    assert first["type"] == "thinking" and first["thinking"] and first["signature"]
    assert [b["type"] for b in rest] == ["text"]
    # Deterministic: the same request, the same signature.
    assert answer(make_emulator(), body)["content"][0]["signature"] == first["signature"]


def test_thinking_disabled_or_absent_answers_without_a_thinking_block(make_emulator: Make) -> None:
    for extra in ({"thinking": {"type": "disabled"}}, {}):
        kinds = [b["type"] for b in answer(make_emulator(), message_body(**extra))["content"]]
        assert kinds == ["text"]


def test_a_thinking_block_streams_as_thinking_deltas_then_its_signature(
    make_emulator: Make,
) -> None:
    body = message_body(thinking={"type": "adaptive"}, max_tokens=2048)
    events = streamed(make_emulator(), body)
    start = next(e for e in events if e["type"] == "content_block_start")
    assert start["content_block"] == {"type": "thinking", "thinking": "", "signature": ""}
    kinds = deltas(events)
    assert kinds[0] == "thinking_delta" and "signature_delta" in kinds
    assert kinds[: kinds.index("signature_delta")] == ["thinking_delta"] * kinds.index(
        "signature_delta"
    )
    whole = answer(make_emulator(), body)["content"][0]
    thought = "".join(
        e["delta"]["thinking"] for e in events if e.get("delta", {}).get("type") == "thinking_delta"
    )
    (signature,) = (
        e["delta"]["signature"]
        for e in events
        if e.get("delta", {}).get("type") == "signature_delta"
    )
    assert (thought, signature) == (whole["thinking"], whole["signature"])


# -- structured outputs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "headers"),
    [
        ({"output_config": {"format": FORMAT}}, {}),
        ({"output_format": FORMAT}, {"anthropic-beta": "structured-outputs-2025-11-13"}),
    ],
    ids=["output_config.format", "legacy output_format"],
)
def test_structured_outputs_answer_json_valid_against_the_schema(
    make_emulator: Make, extra: dict[str, Any], headers: dict[str, str]
) -> None:
    message = answer(make_emulator(), message_body(**extra), **headers)
    (block,) = message["content"]
    assert schema_problems(json.loads(block["text"]), SCHEMA) == []


def test_a_strict_forced_tool_is_called_with_input_valid_for_its_schema(
    make_emulator: Make,
) -> None:
    tool = {"name": "record", "description": "Record it.", "input_schema": SCHEMA, "strict": True}
    body = message_body(tools=[tool], tool_choice={"type": "tool", "name": "record"})
    (call,) = answer(make_emulator(), body)["content"]
    assert call["type"] == "tool_use" and call["name"] == "record"
    assert schema_problems(call["input"], SCHEMA) == []


# -- citations -------------------------------------------------------------------------------


def _asking(*blocks: dict[str, Any]) -> dict[str, Any]:
    content = [*blocks, {"type": "text", "text": "What colour is the probe?"}]
    return message_body(messages=[{"role": "user", "content": content}])


TEXT_DOCUMENT = {
    "type": "document",
    "source": {"type": "text", "media_type": "text/plain", "data": DOCUMENT_TEXT},
    "title": "probe",
    "citations": {"enabled": True},
}
PDF_DOCUMENT = {
    "type": "document",
    "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0xLjUK"},
    "citations": {"enabled": True},
}
CONTENT_DOCUMENT = {
    "type": "document",
    "source": {"type": "content", "content": [{"type": "text", "text": "The probe is amber."}]},
    "citations": {"enabled": True},
}
SEARCH_RESULT = {
    "type": "search_result",
    "source": "https://example.com/probe",
    "title": "probe",
    "content": [{"type": "text", "text": "The probe is amber."}],
    "citations": {"enabled": True},
}


def _citations(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for b in message["content"] for c in b.get("citations") or ()]


@pytest.mark.parametrize(
    ("block", "kind", "cited"),
    [
        (TEXT_DOCUMENT, "char_location", "The probe is amber."),
        (PDF_DOCUMENT, "page_location", "(page 1)"),
        (CONTENT_DOCUMENT, "content_block_location", "The probe is amber."),
        (SEARCH_RESULT, "search_result_location", "The probe is amber."),
    ],
)
def test_a_source_with_citations_enabled_is_cited(
    make_emulator: Make, block: dict[str, Any], kind: str, cited: str
) -> None:
    (citation,) = _citations(answer(make_emulator(), _asking(block)))
    assert (citation["type"], citation["cited_text"]) == (kind, cited)


def test_the_cited_source_is_counted_among_those_of_its_kind(make_emulator: Make) -> None:
    plain = {**TEXT_DOCUMENT, "citations": {"enabled": False}}
    (citation,) = _citations(answer(make_emulator(), _asking(plain, TEXT_DOCUMENT)))
    assert citation["document_index"] == 1
    assert _citations(answer(make_emulator(), _asking(plain))) == []


def test_a_citation_streams_as_a_citations_delta_before_the_text_it_cites(
    make_emulator: Make,
) -> None:
    events = streamed(make_emulator(), _asking(TEXT_DOCUMENT))
    (cited,) = {e["index"] for e in events if e.get("delta", {}).get("type") == "citations_delta"}
    kinds = deltas([e for e in events if e.get("index") == cited])
    assert kinds[0] == "citations_delta" and set(kinds[1:]) == {"text_delta"}


# -- prompt caching --------------------------------------------------------------------------


def _cached(ttl: str, tokens: int, deployment: str = DEPLOYMENT) -> dict[str, Any]:
    text = "cache " * tokens  # a word is a token, as the emulator counts them
    block = {"type": "text", "text": text, "cache_control": {"type": "ephemeral", "ttl": ttl}}
    return message_body(model=deployment, system=[block])


@pytest.mark.parametrize("ttl", ["5m", "1h"])
def test_a_prefix_above_the_minimum_is_written_then_read(make_emulator: Make, ttl: str) -> None:
    emulator = make_emulator()
    body = _cached(ttl, MINIMUM * 2)
    first = answer(emulator, body)["usage"]
    second = answer(emulator, body)["usage"]
    assert first["cache_creation_input_tokens"] > MINIMUM and first["cache_read_input_tokens"] == 0
    other = "5m" if ttl == "1h" else "1h"
    assert (
        first["cache_creation"][f"ephemeral_{ttl}_input_tokens"]
        == first["cache_creation_input_tokens"]
    )
    assert first["cache_creation"][f"ephemeral_{other}_input_tokens"] == 0
    assert second["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
    assert second["cache_creation_input_tokens"] == 0
    # What was cached is not billed again as uncached input.
    assert second["input_tokens"] == first["input_tokens"] < MINIMUM


def test_a_prefix_below_the_model_s_minimum_is_not_cached(make_emulator: Make) -> None:
    emulator = make_emulator()
    body = _cached("5m", MINIMUM // 2)
    for _ in range(2):
        usage = answer(emulator, body)["usage"]
        assert usage["cache_creation_input_tokens"] == usage["cache_read_input_tokens"] == 0


def test_a_cached_prefix_expires_with_its_ttl(make_emulator: Make, clock: FakeClock) -> None:
    emulator = make_emulator()
    body = _cached("5m", MINIMUM * 2)
    answer(emulator, body)
    clock.advance(301)
    assert answer(emulator, body)["usage"]["cache_read_input_tokens"] == 0


def test_the_cache_is_per_model_pool(make_emulator: Make) -> None:
    emulator = make_emulator()
    answer(emulator, _cached("5m", MINIMUM * 2))
    other = answer(emulator, _cached("5m", MINIMUM * 2, deployment="claude-haiku-5-5"))["usage"]
    assert other["cache_read_input_tokens"] == 0 and other["cache_creation_input_tokens"] > 0


def test_cache_writes_count_against_the_input_quota_and_reads_do_not(make_emulator: Make) -> None:
    emulator = make_emulator()
    body = _cached("5m", MINIMUM * 2)
    first = answer(emulator, body)["usage"]
    after_write = emulator.usage(DEPLOYMENT)
    assert (
        after_write["input_tokens"] == first["input_tokens"] + first["cache_creation_input_tokens"]
    )
    second = answer(emulator, body)["usage"]
    assert (
        emulator.usage(DEPLOYMENT)["input_tokens"]
        == after_write["input_tokens"] + (second["input_tokens"])
    )


# -- server tools ----------------------------------------------------------------------------

SERVER_TOOLS = [
    facts for facts in PROFILE.capabilities.values() if facts.tool_type and facts.tool_name
]


def _server_tool(facts: Any, choice: str | None = None) -> dict[str, Any]:
    tools: list[dict[str, Any]] = [{"type": facts.tool_type, "name": facts.tool_name}]
    if facts.feature == "tool_search":
        tools.append(
            {"name": "record", "description": "r", "input_schema": SCHEMA, "defer_loading": True}
        )
    extra = {"tool_choice": {"type": choice}} if choice else {}
    return message_body(tools=tools, **extra)


@pytest.mark.parametrize("facts", SERVER_TOOLS, ids=lambda f: f.id)
def test_a_server_tool_is_called_and_answers_a_canned_result(
    make_emulator: Make, facts: Any
) -> None:
    emulator = make_emulator("hosted-on-anthropic")
    message = answer(emulator, _server_tool(facts))
    use, result, *text = message["content"]
    assert use["type"] == "server_tool_use" and use["id"].startswith("srvtoolu_")
    assert result["type"].endswith("_tool_result") and result["tool_use_id"] == use["id"]
    assert [b["type"] for b in text] == ["text"]
    shown = json.dumps(result)
    assert CANNED_URL in shown or facts.feature in ("code_execution", "tool_search")


@pytest.mark.parametrize("facts", SERVER_TOOLS, ids=lambda f: f.id)
def test_a_server_tool_never_runs_under_tool_choice_none(make_emulator: Make, facts: Any) -> None:
    message = answer(make_emulator("hosted-on-anthropic"), _server_tool(facts, "none"))
    assert [b["type"] for b in message["content"]] == ["text"]


@pytest.mark.parametrize("facts", SERVER_TOOLS, ids=lambda f: f.id)
def test_hosted_on_azure_refuses_the_server_tools_in_the_field_s_wording(
    make_emulator: Make, facts: Any
) -> None:
    reply = make_emulator("hosted-on-azure").handle(request(body=_server_tool(facts, "none")))
    assert reply.status == 400
    refused = PROFILE.refused_features(reply.json()["error"]["message"])
    assert refused is not None and facts.feature in {
        PROFILE.feature_names.get(r, r) for r in refused
    }


# -- context editing, refusals ---------------------------------------------------------------


def test_context_editing_reports_the_edits_it_applied(make_emulator: Make) -> None:
    facts = PROFILE.capabilities["CAP-CONTEXT-EDITING"]
    body = message_body(context_management={"edits": [{"type": facts.edit}]})
    message = answer(make_emulator(), body, **{"anthropic-beta": facts.beta or ""})
    assert message["context_management"] == {"applied_edits": []}
    assert "context_management" not in answer(make_emulator(), message_body())


def _refusing_model() -> str:
    return next(m.id for m in PROFILE.models if m.refusal_stop_reason and not m.retired)


def test_a_model_that_refuses_answers_with_a_refusal_stop_reason(make_emulator: Make) -> None:
    name = _refusing_model()
    emulator = make_emulator("hosted-on-anthropic,enterprise-quota", deployments=(name,))
    asked = message_body(model=name, messages=[{"role": "user", "content": REFUSAL_TRIGGER}])
    refused = answer(emulator, asked)
    assert (refused["stop_reason"], refused["content"]) == ("refusal", [])
    events = streamed(emulator, asked)
    (delta,) = (e for e in events if e["type"] == "message_delta")
    assert delta["delta"]["stop_reason"] == "refusal"
    assert answer(emulator, message_body(model=name))["stop_reason"] == "end_turn"


def test_a_model_without_refusals_answers_the_trigger_as_any_prompt(make_emulator: Make) -> None:
    asked = message_body(messages=[{"role": "user", "content": REFUSAL_TRIGGER}])
    assert answer(make_emulator(), asked)["stop_reason"] != "refusal"

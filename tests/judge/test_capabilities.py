"""The capability probes' judgement on literal answers: for every probe, an answer that honours
the capability, refusals in each of the field's three wordings (and in none of them), an answer
that accepts and ignores it, and malformed ones; then the answers that tell nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.judge import capabilities as judge
from conformance.judge.capabilities import Answer, Evidence, Judgement
from conformance.judge.schema import schema_problems
from conformance.suite.capability_bodies import SCHEMA, TOOL
from tests.diagnosis import bodies
from tests.platform_facts import PROFILE

JSON = {"content-type": "application/json"}
SSE = {"content-type": "text/event-stream; charset=utf-8"}
REFUSALS = {
    "one feature": bodies.STRUCTURED_OUTPUTS_UNSUPPORTED,
    "several features": bodies.FEATURES_NOT_AVAILABLE,
    "server-side web search": bodies.WEB_SEARCH_UNAVAILABLE,
}


def _schema(value: object) -> list[str]:
    return schema_problems(value, SCHEMA)


def answer(status: int | None, body: Any = b"", headers: dict[str, str] | None = None) -> Answer:
    raw = (
        body
        if isinstance(body, bytes)
        else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
    )
    return Answer(status, headers or JSON, raw)


def message(*content: dict[str, Any], **extra: Any) -> dict[str, Any]:
    usage = {"input_tokens": 12, "output_tokens": 3, **extra.pop("usage", {})}
    return {
        "type": "message",
        "role": "assistant",
        "content": list(content),
        "usage": usage,
        **extra,
    }


def text(value: str, **extra: Any) -> dict[str, Any]:
    return {"type": "text", "text": value, **extra}


THINKING = {"type": "thinking", "thinking": "Seventeen times twenty-three.", "signature": "c2ln"}
CHAR_CITATION = {"type": "char_location", "cited_text": "The probe is amber.", "document_index": 0}
SEARCH_CITATION = {"type": "search_result_location", "cited_text": "The probe is amber."}
TOOL_USE = {"type": "tool_use", "id": "toolu_1", "name": TOOL["name"], "input": {"ok": True}}

# Per probe: its evidence, an answer that honours it, and one that accepts and ignores it.
PROBES: dict[str, tuple[Evidence, dict[str, Any], dict[str, Any]]] = {
    "CAP-TOOLS": (
        judge.tool_called(TOOL["name"], _schema),
        message(TOOL_USE),
        message(text("I would call record_answer.")),
    ),
    "CAP-STRICT-TOOLS": (
        judge.tool_called(TOOL["name"], _schema),
        message(TOOL_USE),
        message({**TOOL_USE, "input": {"ok": "yes", "extra": 1}}),
    ),
    "CAP-STRUCTURED-OUTPUT": (
        judge.json_answered(_schema),
        message(text('{"ok":true}')),
        message(text("Yes, the sky is blue.")),
    ),
    "CAP-OUTPUT-FORMAT": (
        judge.json_answered(_schema),
        message(text('{"ok": false}')),
        message(text('{"answer": "yes"}')),
    ),
    "CAP-THINKING-ADAPTIVE": (
        judge.thinking_shown,
        message(THINKING, text("391")),
        message(text("391")),
    ),
    "CAP-THINKING-ENABLED": (
        judge.thinking_shown,
        message(THINKING, text("391")),
        message({**THINKING, "signature": ""}, text("391")),
    ),
    "CAP-THINKING-DISABLED": (
        judge.thinking_absent,
        message(text("ok")),
        message(THINKING, text("ok")),
    ),
    "CAP-CITATIONS": (
        judge.cited("char_location"),
        message(
            text("According to the source, "),
            text("The probe is amber.", citations=[CHAR_CITATION]),
        ),
        message(text("The probe is amber.")),
    ),
    "CAP-SEARCH-RESULTS": (
        judge.cited("search_result_location"),
        message(text("It is amber.", citations=[SEARCH_CITATION])),
        message(text("It is amber.", citations=[CHAR_CITATION])),
    ),
    "CAP-CONTEXT-EDITING": (
        judge.context_reported,
        message(text("ok"), context_management={"applied_edits": []}),
        message(text("ok")),
    ),
}


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_an_answer_that_shows_the_capability_is_supported(probe: str) -> None:
    evidence, honoured, _ = PROBES[probe]
    judged = judge.judge_message(answer(200, honoured), PROFILE, evidence)
    assert judged.status == "supported", judged
    assert judged.reason.startswith("accepted and honoured: ")


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_an_answer_that_accepts_and_ignores_it_is_not_honoured(probe: str) -> None:
    evidence, _, ignored = PROBES[probe]
    judged = judge.judge_message(answer(200, ignored), PROFILE, evidence)
    assert judged.status == "not-honoured", judged
    assert judged.reason.startswith("accepted, but not honoured: ")


@pytest.mark.parametrize("probe", sorted(PROBES))
@pytest.mark.parametrize("wording", sorted(REFUSALS))
def test_each_field_wording_is_a_refusal_diagnosed_feature_not_available(
    probe: str, wording: str
) -> None:
    evidence, _, _ = PROBES[probe]
    judged = judge.judge_message(answer(400, REFUSALS[wording]), PROFILE, evidence)
    assert (judged.status, judged.codes, judged.wording) == (
        "refused",
        ("feature-not-available",),
        True,
    )
    assert "refused with the field's wording: HTTP 400 invalid_request_error" in judged.reason


def test_a_refusal_names_the_features_it_refuses_as_the_profile_calls_them() -> None:
    judged = judge.judge_message(answer(400, bodies.FEATURES_NOT_AVAILABLE), PROFILE, judge.listed)
    assert judged.reason.endswith("(names: web_search, code_execution)")


def test_a_400_in_no_field_wording_is_a_refusal_that_says_so() -> None:
    judged = judge.judge_message(answer(400, bodies.EXTRA_INPUTS), PROFILE, judge.thinking_shown)
    assert (judged.status, judged.codes, judged.wording) == ("refused", (), False)
    assert judged.reason.endswith("(not one of the field's refusal wordings)")


MCP_UNREACHABLE = json.dumps(
    {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "message": "Connection error while communicating with MCP server 'probe'",
        },
    }
)
MCP_EXTRA = json.dumps(
    {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "message": "mcp_servers: Extra inputs are not permitted",
        },
    }
)
UNSURE = ("mcp_servers", "the probe's server may be what failed")


def test_a_400_that_may_come_from_the_probe_s_own_server_is_not_judged() -> None:
    evidence = judge.accepted("mcp_servers accepted")
    unreachable = judge.judge_message(
        answer(400, MCP_UNREACHABLE), PROFILE, evidence, unsure=UNSURE
    )
    assert unreachable.status == "not-judged"
    assert unreachable.reason.endswith(
        "in none of the field's refusal wordings: the probe's server may be what failed"
    )
    # A 400 that names the connector's field, or uses a field wording, is still a refusal.
    named = judge.judge_message(answer(400, MCP_EXTRA), PROFILE, evidence, unsure=UNSURE)
    assert (named.status, named.wording) == ("refused", False)
    for body in REFUSALS.values():
        worded = judge.judge_message(answer(400, body), PROFILE, evidence, unsure=UNSURE)
        assert (worded.status, worded.codes) == ("refused", ("feature-not-available",))


MALFORMED = {
    "not JSON": b"<html>proxy sign-in</html>",
    "JSON, not an object": b"[1, 2]",
    "an object, not a Message": json.dumps({"id": "msg_1", "usage": {}}).encode(),
    "truncated": b'{"type":"message","content":[{"type":"te',
    "too deep": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("probe", sorted(PROBES))
@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_a_malformed_answer_is_not_judged_and_points_at_malformed_response(
    probe: str, kind: str
) -> None:
    evidence, _, _ = PROBES[probe]
    judged = judge.judge_message(answer(200, MALFORMED[kind]), PROFILE, evidence)
    assert (judged.status, judged.codes) == ("not-judged", ("malformed-response",)), judged


@pytest.mark.parametrize(
    ("status", "body", "code", "said"),
    [
        (429, bodies.RATE_LIMIT_REACHED, "rate-limited", "throttled"),
        (401, bodies.INVALID_SUBSCRIPTION_KEY, None, "not let in"),
        (403, bodies.KEY_AUTH_DISABLED, None, "not let in"),
        (404, bodies.DEPLOYMENT_NOT_FOUND, None, "tells nothing"),
        (500, bodies.BACKEND_AUTH, "server-error", "the service failed"),
        (
            529,
            '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
            "overloaded",
            "the service failed",
        ),
        (None, b"", None, "no HTTP answer"),
    ],
)
def test_an_answer_that_tells_nothing_about_the_capability_is_not_judged(
    status: int | None, body: str | bytes, code: str | None, said: str
) -> None:
    judged = judge.judge_message(answer(status, body), PROFILE, judge.thinking_shown)
    assert judged.status == "not-judged" and not judged.judged
    assert judged.codes == ((code,) if code else ())
    assert said in judged.reason


# -- acceptance only, listings, streams ---------------------------------------------------------


def test_an_acceptance_only_probe_is_supported_by_any_message() -> None:
    evidence = judge.accepted("`web_search_20250305` declared and accepted (acceptance only)")
    judged = judge.judge_message(answer(200, message(text("ok"))), PROFILE, evidence)
    assert judged == Judgement(
        "supported",
        "accepted and honoured: `web_search_20250305` declared and accepted (acceptance only)",
    )


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, {"data": [], "has_more": False}, "supported"),
        (200, {"files": []}, "not-honoured"),
        (404, '{"error":{"code":"404","message":"Resource not found"}}', "refused"),
        (200, b"<html></html>", "not-judged"),
    ],
)
def test_a_listing_is_served_not_served_or_malformed(status: int, body: Any, expected: str) -> None:
    judged = judge.judge_message(answer(status, body), PROFILE, judge.listed, listing=True)
    assert judged.status == expected, judged


def _sse(*events: dict[str, Any]) -> bytes:
    return b"".join(
        b"event: " + e["type"].encode() + b"\ndata: " + json.dumps(e).encode() + b"\n\n"
        for e in events
    )


STREAM = _sse(
    {"type": "message_start", "message": message()},
    {"type": "content_block_start", "index": 0, "content_block": text("")},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ok"}},
    {"type": "content_block_stop", "index": 0},
    {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 1}},
    {"type": "message_stop"},
)


@pytest.mark.parametrize(
    ("headers", "body", "expected", "code"),
    [
        (SSE, STREAM, "supported", None),
        (JSON, json.dumps(message(text("ok"))).encode(), "not-honoured", None),
        (
            SSE,
            STREAM[: STREAM.index(b"event: message_delta")],
            "not-judged",
            "stream-protocol-violation",
        ),
    ],
    ids=["an event stream", "a whole message instead", "a stream cut short"],
)
def test_streaming_is_an_event_stream_of_a_whole_message(
    headers: dict[str, str], body: bytes, expected: str, code: str | None
) -> None:
    judged = judge.judge_stream(Answer(200, headers, body), PROFILE)
    assert judged.status == expected and judged.codes == ((code,) if code else ()), judged


def test_a_refused_stream_is_refused() -> None:
    refused = answer(400, bodies.STRUCTURED_OUTPUTS_UNSUPPORTED)
    assert judge.judge_stream(refused, PROFILE).status == "refused"


# -- two requests -------------------------------------------------------------------------------


def _count(n: int) -> Answer:
    return answer(200, {"input_tokens": n})


@pytest.mark.parametrize(
    ("with_it", "without", "expected"),
    [
        (_count(98), _count(13), "supported"),
        (_count(13), _count(13), "not-honoured"),
        (answer(400, bodies.STRUCTURED_OUTPUTS_UNSUPPORTED), None, "refused"),
        (answer(200, {"tokens": 12}), _count(13), "not-judged"),
        (_count(98), answer(429, bodies.RATE_LIMIT_REACHED), "not-judged"),
    ],
    ids=["counted", "accepted but not counted", "refused", "malformed", "no baseline"],
)
def test_media_and_tools_are_counted_as_input(
    with_it: Answer, without: Answer | None, expected: str
) -> None:
    judged = judge.judge_counted(with_it, without or with_it, PROFILE, "the image")
    assert judged.status == expected, judged


def _cached(written: int = 0, read: int = 0, ttl: str = "5m") -> Answer:
    usage: dict[str, Any] = {
        "cache_creation_input_tokens": written,
        "cache_read_input_tokens": read,
    }
    if written:
        usage["cache_creation"] = {
            "ephemeral_5m_input_tokens": written if ttl == "5m" else 0,
            "ephemeral_1h_input_tokens": written if ttl == "1h" else 0,
        }
    return answer(200, message(text("o"), usage=usage))


@pytest.mark.parametrize(
    ("first", "second", "ttl", "expected"),
    [
        (_cached(written=1300), _cached(read=1300), "5m", "supported"),
        (_cached(read=1300), _cached(read=1300), "5m", "supported"),  # cached by an earlier run
        (_cached(written=1300, ttl="1h"), _cached(read=1300), "1h", "supported"),
        (_cached(), _cached(), "5m", "not-honoured"),
        (_cached(written=1300, ttl="5m"), _cached(), "1h", "not-honoured"),
        (answer(400, bodies.EXTRA_INPUTS), answer(400, bodies.EXTRA_INPUTS), "5m", "refused"),
        (_cached(written=1300), answer(200, b"oops"), "5m", "not-judged"),
    ],
    ids=[
        "written then read",
        "read twice",
        "1h",
        "no cache tokens",
        "wrong TTL",
        "refused",
        "malformed",
    ],
)
def test_caching_shows_as_cache_reads_on_the_second_request(
    first: Answer, second: Answer, ttl: str, expected: str
) -> None:
    judged = judge.judge_cached(first, second, PROFILE, ttl, 1300)
    assert judged.status == expected, judged


# -- every judge reads the three wordings alike ---------------------------------------------------

JUDGES: dict[str, Any] = {
    "CAP-STREAMING": lambda a: judge.judge_stream(a, PROFILE),
    "CAP-IMAGES, CAP-PDF, CAP-COUNT-TOKENS-TOOLS": lambda a: judge.judge_counted(
        a, a, PROFILE, "the image"
    ),
    "CAP-CACHING-5M, CAP-CACHING-1H": lambda a: judge.judge_cached(a, a, PROFILE, "5m", 1300),
    "CAP-FILES-API, CAP-SKILLS-API": lambda a: judge.judge_message(
        a, PROFILE, judge.listed, listing=True
    ),
    "CAP-EFFORT, CAP-SYSTEM-MIDCONV, the server tools": lambda a: judge.judge_message(
        a, PROFILE, judge.accepted("accepted")
    ),
}


@pytest.mark.parametrize("probes", sorted(JUDGES))
@pytest.mark.parametrize("wording", sorted(REFUSALS))
def test_every_other_probe_reads_each_field_wording_as_a_refusal(probes: str, wording: str) -> None:
    judged = JUDGES[probes](answer(400, REFUSALS[wording]))
    assert (judged.status, judged.codes, judged.wording) == (
        "refused",
        ("feature-not-available",),
        True,
    ), judged

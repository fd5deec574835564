"""Matching a replayed request, and the message when nothing matches (pure, no I/O)."""

from __future__ import annotations

import json
from typing import Any

from conformance.recording.match import RequestView, auth_kind, differences, miss_message, nearest

URL = "https://REDACTED-RESOURCE.services.ai.azure.com/anthropic/v1/messages"
BODY = {
    "model": "claude-sonnet-4-5",
    "max_tokens": 1,
    "messages": [{"role": "user", "content": "ok"}],
}


def view(
    method: str = "POST",
    uri: str = URL,
    body: Any = BODY,
    *,
    where: str = "",
    own: bool = False,
    played: bool = False,
    **headers: str,
) -> RequestView:
    text = body if isinstance(body, str) else json.dumps(body)
    named = {
        "anthropic-version": "2023-06-01",
        **{k.replace("_", "-"): v for k, v in headers.items()},
    }
    return RequestView(method, uri, named, text, where, own, played)


def test_which_credential_header_is_what_counts_not_its_value() -> None:
    assert auth_kind({"x-api-key": "[REDACTED]"}) == "x-api-key"
    assert auth_kind({"api-key": "a", "x-api-key": "b"}) == "x-api-key + api-key"
    assert auth_kind({"authorization": "Bearer [REDACTED]"}) == "Authorization: Bearer"
    assert auth_kind({}) == "no credentials"


def test_host_credential_values_client_request_id_and_user_agent_never_decide() -> None:
    recorded = view(uri=URL.replace("REDACTED-RESOURCE", "other"), x_api_key="[REDACTED]")
    sent = view(
        x_api_key="replay-placeholder",
        x_ms_client_request_id="9f0c",
        user_agent="foundry-conformance/9.9",
    )
    assert differences(sent, recorded) == []


def test_json_bodies_match_whatever_their_key_order_and_spacing() -> None:
    recorded = view(body=json.dumps(BODY, indent=2))
    sent = view(body=json.dumps(dict(reversed(list(BODY.items())))))
    assert differences(sent, recorded) == []


def test_a_different_credential_header_is_a_different_request() -> None:
    diffs = differences(view(api_key="x"), view(x_api_key="x"))
    assert diffs == ["credential header (sent api-key, recorded x-api-key)"]


def test_a_missing_anthropic_version_is_a_different_request() -> None:
    sent = RequestView("POST", URL, {"x-api-key": "k"}, json.dumps(BODY))
    diffs = differences(sent, view(x_api_key="k"))
    assert diffs == ["header anthropic-version (sent absent, recorded 2023-06-01)"]


def test_body_differences_name_the_json_paths() -> None:
    sent = view(body={**BODY, "stream": True})
    recorded = view(body={**BODY, "max_tokens": 8})
    [diff] = differences(sent, recorded)
    assert (
        diff == "body at $.max_tokens (sent 1, recorded 8); $.stream (sent true, recorded absent)"
    )


def test_nearest_ranks_the_method_first_then_the_path() -> None:
    # The Azure test proxy once named a DELETE as the closest match of a HEAD (#2943).
    sent = view("HEAD", URL + "/x", body="")
    same_path = view("DELETE", URL + "/x", body="", where="a")
    same_method = view("HEAD", URL + "/y", body="", where="b")
    assert nearest(sent, [same_path, same_method]) is same_method
    same_both = view("HEAD", URL + "/x", body="zzz", where="c")
    assert nearest(sent, [same_path, same_method, same_both]) is same_both


def test_nearest_prefers_the_case_own_cassette_then_body_similarity() -> None:
    sent = view(body={**BODY, "max_tokens": 2})
    elsewhere = view(body={**BODY, "max_tokens": 2}, where="other")
    own = view(body={**BODY, "max_tokens": 3, "system": "x"}, where="own", own=True)
    assert nearest(sent, [elsewhere, own]) is own
    closer = view(body={**BODY, "max_tokens": 3}, where="own #2", own=True)
    assert nearest(sent, [own, closer]) is closer


def test_the_miss_message_names_the_check_the_nearest_request_and_what_differs() -> None:
    sent = view(x_api_key="k")
    recorded = view(
        body={**BODY, "max_tokens": 8}, x_api_key="k", where="MSG-BASIC.yaml #1", own=True
    )
    message = miss_message("MSG-BASIC", sent, "cassettes/x/MSG-BASIC.yaml", [recorded])
    assert message.startswith(
        "MSG-BASIC sent POST /anthropic/v1/messages with x-api-key, which is not recorded in "
        "cassettes/x/MSG-BASIC.yaml. Nearest recorded request: POST /anthropic/v1/messages with "
        "x-api-key (MSG-BASIC.yaml #1); it differs in body at $.max_tokens (sent 1, recorded 8)."
    )
    assert "Nothing was sent." in message
    assert "--mode record" in message
    assert "\n" not in message


def test_a_request_sent_more_often_than_recorded_says_so() -> None:
    recorded = view(where="AUTH-MISSING.yaml #1", own=True, played=True)
    message = miss_message("AUTH-MISSING", view(), "AUTH-MISSING.yaml", [recorded])
    assert "already answered: the check sent it more often than when it was recorded" in message


def test_an_identical_request_of_another_case_is_named_but_never_borrowed() -> None:
    recorded = view(where="AUTH-API-KEY.yaml #1", api_key="k")
    message = miss_message("AUTH-BAD-KEY[api-key]", view(api_key="k"), "x.yaml", [recorded])
    assert "The same request is recorded for another case (AUTH-API-KEY.yaml #1)" in message
    assert "never borrowed across cases" in message


def test_an_empty_cassette_set_is_said_plainly() -> None:
    message = miss_message("EP-REACH", view(), "EP-REACH.yaml", [])
    assert "The cassette set holds no recorded request at all." in message

"""Every profile over real loopback HTTP: each one visibly changes what a client receives."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from conformance.core.jwt_claims import mint_test_token
from conformance.emulator import PROFILE_NAMES, bodies
from conformance.emulator.logic import ECHO_HEADER
from conformance.emulator.server import EmulatorServer
from tests.platform_facts import ANTHROPIC_VERSION, RATE_LIMIT_HEADERS

from .conftest import HEADERS, message_body, post, serving, sse_events

Check = Callable[[EmulatorServer, httpx.Client], None]
PROFILE_CHECKS: dict[str, Check] = {}


def profile_check(name: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        PROFILE_CHECKS[name] = check
        return check

    return register


@profile_check("default")
def _default(live: EmulatorServer, client: httpx.Client) -> None:
    assert post(client, live).status_code == 200


@profile_check("api-key-rejected")
def _api_key_rejected(live: EmulatorServer, client: httpx.Client) -> None:
    only_api_key = {"api-key": live.api_key, "anthropic-version": ANTHROPIC_VERSION}
    assert post(client, live, headers=only_api_key).status_code == 401
    assert post(client, live).status_code == 200


@profile_check("ratelimit-headers")
def _ratelimit_headers(live: EmulatorServer, client: httpx.Client) -> None:
    assert all(name in post(client, live).headers for name in RATE_LIMIT_HEADERS)


@profile_check("models-served")
def _models_served(live: EmulatorServer, client: httpx.Client) -> None:
    assert client.get(live.base_url + "v1/models", headers=HEADERS).status_code == 200


@profile_check("no-apim-request-id")
def _no_apim(live: EmulatorServer, client: httpx.Client) -> None:
    assert "apim-request-id" not in post(client, live).headers


@profile_check("no-request-id")
def _no_request_id(live: EmulatorServer, client: httpx.Client) -> None:
    assert "request-id" not in post(client, live).headers


@profile_check("done-sentinel")
def _done_sentinel(live: EmulatorServer, client: httpx.Client) -> None:
    assert post(client, live, json=message_body(stream=True)).content.endswith(b"data: [DONE]\n\n")


@profile_check("overloaded")
def _overloaded(live: EmulatorServer, client: httpx.Client) -> None:
    response = post(client, live)
    assert response.status_code == 529
    assert response.reason_phrase == "Overloaded"


@profile_check("overloaded-midstream")
def _overloaded_midstream(live: EmulatorServer, client: httpx.Client) -> None:
    response = post(client, live, json=message_body(stream=True))
    assert response.status_code == 200
    assert sse_events(response.content)[-1][0] == "error"


@profile_check("slow")
def _slow(live: EmulatorServer, client: httpx.Client) -> None:
    started = time.monotonic()
    post(client, live)
    assert time.monotonic() - started >= 0.1


@profile_check("slow-stream")
def _slow_stream(live: EmulatorServer, client: httpx.Client) -> None:
    started = time.monotonic()
    post(client, live, json=message_body(stream=True, max_tokens=3))
    assert time.monotonic() - started >= 0.05 * 8  # 9 events, 8 gaps


@profile_check("key-auth-disabled")
def _key_auth_disabled(live: EmulatorServer, client: httpx.Client) -> None:
    assert post(client, live).json() == bodies.authentication_type_disabled()


@profile_check("rbac-missing")
def _rbac_missing(live: EmulatorServer, client: httpx.Client) -> None:
    headers = {
        "authorization": f"Bearer {mint_test_token()}",
        "anthropic-version": ANTHROPIC_VERSION,
    }
    assert post(client, live, headers=headers).json()["error"]["code"] == "PermissionDenied"


@profile_check("garbage")
def _garbage(live: EmulatorServer, client: httpx.Client) -> None:
    response = post(client, live)
    assert (response.status_code, response.headers["content-type"]) == (502, "text/html")


@profile_check("connection-reset")
def _connection_reset(live: EmulatorServer, client: httpx.Client) -> None:
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        post(client, live)


@profile_check("reset-midstream")
def _reset_midstream(live: EmulatorServer, client: httpx.Client) -> None:
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        post(client, live, json=message_body(stream=True))


@profile_check("truncated-stream")
def _truncated(live: EmulatorServer, client: httpx.Client) -> None:
    assert b"message_stop" not in post(client, live, json=message_body(stream=True)).content


@profile_check("wrong-shape")
def _wrong_shape(live: EmulatorServer, client: httpx.Client) -> None:
    assert "usage" not in post(client, live).json()


@profile_check("huge-body")
def _huge_body(live: EmulatorServer, client: httpx.Client) -> None:
    response = post(client, live)
    assert int(response.headers["content-length"]) == len(response.content) > 5_000_000


@profile_check("server-error")
def _server_error(live: EmulatorServer, client: httpx.Client) -> None:
    assert post(client, live).status_code == 500


@profile_check("rate-limited")
def _rate_limited(live: EmulatorServer, client: httpx.Client) -> None:
    response = post(client, live)
    assert response.status_code == 429
    assert "Please wait" in response.json()["error"]["message"]
    assert "retry-after" not in response.headers


@profile_check("echo-key")
def _echo_key(live: EmulatorServer, client: httpx.Client) -> None:
    assert post(client, live).headers[ECHO_HEADER] == live.api_key


@profile_check("tight-rate-limit")
def _tight(live: EmulatorServer, client: httpx.Client) -> None:
    assert [post(client, live).status_code for _ in range(6)] == [200] * 5 + [429]


@profile_check("retry-after")
def _retry_after(live: EmulatorServer, client: httpx.Client) -> None:
    statuses = [post(client, live) for _ in range(61)]
    assert statuses[-1].status_code == 429
    assert int(statuses[-1].headers["retry-after"]) >= 1


@profile_check("anthropic-not-found")
def _anthropic_not_found(live: EmulatorServer, client: httpx.Client) -> None:
    response = post(client, live, json=message_body(model="nope"))
    assert response.json()["error"]["type"] == "not_found_error"


@profile_check("zero-quota")
def _zero_quota(live: EmulatorServer, client: httpx.Client) -> None:
    response = post(client, live)
    assert response.status_code == 429
    assert "Rate limit of 0 per" in response.json()["error"]["message"]


@profile_check("hosted-on-azure")
def _hosted_on_azure(live: EmulatorServer, client: httpx.Client) -> None:
    body = message_body(tools=[{"type": "web_search_20250305", "name": "web_search"}])
    response = post(client, live, json=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "server-side web search is not available in this environment"
    )
    assert client.get(live.base_url + "v1/skills", headers=HEADERS).status_code == 404


@profile_check("hosted-on-anthropic")
def _hosted_on_anthropic(live: EmulatorServer, client: httpx.Client) -> None:
    listing = client.get(live.base_url + "v1/files", headers=HEADERS)
    assert (listing.status_code, listing.json()["data"]) == (200, [])


@profile_check("backend-auth-failure")
def _backend_auth_failure(live: EmulatorServer, client: httpx.Client) -> None:
    response = post(client, live)
    assert response.status_code >= 500
    assert "RequestId = req_" in response.json()["error"]["message"]


@profile_check("beta-query-required")
def _beta_query_required(live: EmulatorServer, client: httpx.Client) -> None:
    body = message_body(context_management={"edits": [{"type": "clear_tool_uses_20250919"}]})
    headers = {**HEADERS, "anthropic-beta": "context-management-2025-06-27"}
    assert post(client, live, json=body, headers=headers).status_code == 400
    assert post(client, live, "v1/messages?beta=true", json=body, headers=headers).is_success


@profile_check("features-ignored")
def _features_ignored(live: EmulatorServer, client: httpx.Client) -> None:
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    body = message_body(output_config={"format": {"type": "json_schema", "schema": schema}})
    response = post(client, live, json=body)
    assert response.status_code == 200
    assert response.json()["content"][0]["text"].startswith("Hello from the Foundry emulator")


@profile_check("enterprise-quota")
def _enterprise_quota(live: EmulatorServer, client: httpx.Client) -> None:
    assert all(post(client, live).status_code == 200 for _ in range(45))


PARAMETERS = {"slow": "slow=0.1", "slow-stream": "slow-stream=0.05"}


def test_every_profile_is_checked_over_http() -> None:
    assert set(PROFILE_CHECKS) == set(PROFILE_NAMES)


@pytest.mark.parametrize("name", sorted(PROFILE_CHECKS))
def test_profile_over_http(name: str, client: httpx.Client) -> None:
    with serving(PARAMETERS.get(name, name)) as live:
        PROFILE_CHECKS[name](live, client)

"""Reproduction lines: the right header for each auth mode, placeholders for every secret."""

from __future__ import annotations

import json
import shlex

import pytest

from conformance.report.curl import AUTH_HEADERS, curl_command, request_url
from conformance.report.evidence import RequestShape

BASE = "https://contoso-ai.services.ai.azure.com/anthropic/"


def _shape(
    auth: str | None, method: str = "POST", path: str = "/anthropic/v1/messages"
) -> RequestShape:
    return RequestShape(method, path, auth, "claude-sonnet-4-5")


@pytest.mark.parametrize(
    ("auth", "header"),
    [
        ("x-api-key", '-H "x-api-key: $ANTHROPIC_FOUNDRY_API_KEY"'),
        ("api-key", '-H "api-key: $ANTHROPIC_FOUNDRY_API_KEY"'),
        ("sdk-key", '-H "x-api-key: $ANTHROPIC_FOUNDRY_API_KEY"'),
        ("entra", '-H "Authorization: Bearer $TOKEN"'),
        ("key-as-bearer", '-H "Authorization: Bearer $ANTHROPIC_FOUNDRY_API_KEY"'),
    ],
)
def test_each_auth_mode_gets_its_header_with_a_placeholder(auth: str, header: str) -> None:
    assert header in curl_command(BASE, _shape(auth), "2023-06-01")


def test_entra_lines_say_how_to_get_the_token() -> None:
    command = curl_command(BASE, _shape("entra"), "2023-06-01")
    first = command.splitlines()[0]
    assert first.startswith(
        "TOKEN=$(az account get-access-token --resource https://cognitiveservices.azure.com"
    )
    alt = curl_command(BASE, _shape("entra-alt-scope"), "2023-06-01").splitlines()[0]
    assert "--resource https://ai.azure.com" in alt


def test_no_credentials_means_no_auth_header() -> None:
    command = curl_command(BASE, _shape("none"), "2023-06-01")
    assert "x-api-key" not in command and "Authorization" not in command


def test_every_known_auth_label_is_mapped() -> None:
    labels = {
        "x-api-key",
        "api-key",
        "sdk-key",
        "entra",
        "sdk-entra",
        "entra-alt-scope",
        "rbac-probe",
        "key-as-bearer",
        "bad-key",
        "bad-token",
        "none",
    }
    assert labels <= set(AUTH_HEADERS)


def test_the_line_is_valid_shell_with_a_json_body_for_the_deployment() -> None:
    command = curl_command(BASE, _shape("x-api-key"), "2023-06-01")
    words = shlex.split(command.replace("\\\n", " "))
    assert words[:6] == [
        "curl",
        "-sS",
        "-i",
        "-X",
        "POST",
        "https://contoso-ai.services.ai.azure.com/anthropic/v1/messages",
    ]
    body = json.loads(words[words.index("-d") + 1])
    assert body["model"] == "claude-sonnet-4-5" and body["max_tokens"] == 1


def test_count_tokens_body_has_no_max_tokens_and_get_has_no_body() -> None:
    count = curl_command(
        BASE, _shape("x-api-key", path="/anthropic/v1/messages/count_tokens"), "2023-06-01"
    )
    assert '"max_tokens"' not in count and '"messages"' in count
    models = curl_command(
        BASE, _shape("x-api-key", method="GET", path="/anthropic/v1/models"), "2023-06-01"
    )
    assert " -d " not in models and "content-type" not in models


def test_request_url_keeps_scheme_and_host_only() -> None:
    assert request_url("http://127.0.0.1:4000/anthropic/", "/anthropic/v1/messages") == (
        "http://127.0.0.1:4000/anthropic/v1/messages"
    )
    assert request_url("", "/anthropic/v1/messages").startswith("https://YOUR-RESOURCE.")

"""Route names and the corrected base URL a wrong-base-path finding offers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.diagnosis.routes import (
    host_and_port,
    is_loopback,
    is_messages_route,
    suggested_base_url,
    unsupported_api,
)


@pytest.mark.parametrize(
    ("path", "messages", "unsupported"),
    [
        ("/anthropic/v1/messages", True, None),
        ("/anthropic/v1/messages?beta=true", True, None),
        ("/anthropic/v1/messages/count_tokens/", True, None),
        ("/v1/messages", True, None),
        ("/anthropic/v1/models", False, "/v1/models"),
        ("/anthropic/v1/models/claude-sonnet-4-5", False, "/v1/models"),
        ("/anthropic/v1/modelsx", False, None),
        ("/anthropic/v1/messages/batches/msgbatch_01/results", False, "/v1/messages/batches"),
        ("/anthropic/v1/organizations/me", False, "/v1/organizations"),
        ("/openai/v1/chat/completions", False, None),
    ],
)
def test_routes(path: str, messages: bool, unsupported: str | None) -> None:
    assert is_messages_route(path) is messages
    assert unsupported_api(path) == unsupported


@pytest.mark.parametrize(
    ("base_url", "suggested"),
    [
        ("https://res.services.ai.azure.com", "https://res.services.ai.azure.com/anthropic/"),
        ("https://res.services.ai.azure.com/", "https://res.services.ai.azure.com/anthropic/"),
        (
            "https://res.services.ai.azure.com/models",
            "https://res.services.ai.azure.com/anthropic/",
        ),
        ("https://res.openai.azure.com/anthropic/v1/", "https://res.openai.azure.com/anthropic/"),
        ("res.services.ai.azure.com", "https://res.services.ai.azure.com/anthropic/"),
        ("ftp://res.services.ai.azure.com", "https://res.services.ai.azure.com/anthropic/"),
        ("http://127.0.0.1:8401", "http://127.0.0.1:8401/anthropic/"),
        (
            "https://user:secret@res.services.ai.azure.com",
            "https://res.services.ai.azure.com/anthropic/",
        ),
        ("", "https://{resource}.services.ai.azure.com/anthropic/"),
        ("https://[::1", "https://{resource}.services.ai.azure.com/anthropic/"),
    ],
)
def test_the_suggested_base_url_keeps_the_host_and_ends_in_anthropic(
    base_url: str, suggested: str
) -> None:
    assert suggested_base_url(base_url) == suggested


@given(st.text(max_size=80))
def test_any_base_url_gets_a_suggestion(base_url: str) -> None:
    assert suggested_base_url(base_url).endswith("/anthropic/")


@pytest.mark.parametrize(
    ("url", "loopback", "dialled"),
    [
        ("http://127.0.0.1:8800/anthropic/", True, ("127.0.0.1", "8800")),
        ("http://127.255.0.9/anthropic/", True, ("127.255.0.9", "80")),
        ("http://localhost:9/", True, ("localhost", "9")),
        ("http://LOCALHOST./", True, ("localhost.", "80")),
        ("http://emulator.localhost:8800/", True, ("emulator.localhost", "8800")),
        ("http://[::1]:8800/anthropic/", True, ("[::1]", "8800")),
        (
            "https://res.services.ai.azure.com/anthropic/",
            False,
            ("res.services.ai.azure.com", "443"),
        ),
        ("https://10.0.0.4/anthropic/", False, ("10.0.0.4", "443")),
        ("https://localhost.example.com/", False, ("localhost.example.com", "443")),
        ("http://[::1", False, ("", "")),
        ("", False, ("", "")),
    ],
)
def test_loopback_is_read_from_the_url_alone(
    url: str, loopback: bool, dialled: tuple[str, str]
) -> None:
    assert is_loopback(url) is loopback
    assert host_and_port(url) == dialled

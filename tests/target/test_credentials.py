"""Credentials: the headers each auth sends, token providers, and that DefaultAzureCredential is
never built unless Entra was asked for (it probes the network). No test here opens a socket."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

from conformance.config import EntraSource, RawOptions, Settings, resolve_settings
from conformance.core.constants import ENV_API_KEY, ENV_ENTRA_TOKEN
from conformance.core.errors import CredentialError
from conformance.core.jwt_claims import mint_test_token, read_claims
from conformance.target.credentials import (
    BearerTokenAuth,
    KeyAuth,
    NoAuth,
    azure_identity_provider,
    default_azure_provider,
    describe_token,
    resolve_entra_provider,
    static_token_provider,
    summarize_credential_error,
)
from tests.platform_facts import AI_AZURE_SCOPE, COGNITIVE_SERVICES_SCOPE

from ..recording.sets import write_cassette_set

KEY = "canary-key-DO-NOT-LEAK-0000000000000000"
URL = "https://myres.services.ai.azure.com/anthropic/v1/messages"
DEFAULT_AZURE_FAILURE = (
    "DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
    "Attempted credentials:\n"
    "\tEnvironmentCredential: EnvironmentCredential authentication unavailable. Environment "
    "variables are not fully configured.\n"
    "Visit https://aka.ms/azsdk/python/identity/environmentcredential/troubleshoot to "
    "troubleshoot this issue.\n"
    "\tManagedIdentityCredential: ManagedIdentityCredential authentication unavailable, no "
    "response from the IMDS endpoint.\n"
    "\tAzureCliCredential: Azure CLI not found on path\n"
    "To mitigate this issue, please refer to the troubleshooting guidelines here at "
    "https://aka.ms/azsdk/python/identity/defaultazurecredential/troubleshoot."
)
SUMMARY = (
    "DefaultAzureCredential failed to retrieve a token: EnvironmentCredential: "
    "EnvironmentCredential authentication unavailable. Environment variables are not fully "
    "configured. (and 2 more); see "
    "https://aka.ms/azsdk/python/identity/defaultazurecredential/troubleshoot"
)


def sent_headers(auth: httpx.Auth, headers: Mapping[str, str] | None = None) -> httpx.Headers:
    """The headers a request carries when it leaves the client with ``auth``."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(handler), headers=headers) as client:
        client.post(URL, auth=auth, json={})
    return seen[0].headers


def settings_for(env: Mapping[str, str], **options: Any) -> Settings:
    return resolve_settings(RawOptions(**options), env)


class FakeCredential:
    """A ``TokenCredential`` stand-in: hands out tokens for the scope asked, counts the calls."""

    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.error = error

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls.append(scopes)
        if self.error is not None:
            raise self.error
        audience = scopes[0].removesuffix("/.default")
        return AccessToken(mint_test_token(audience=audience), int(time.time()) + 3600)


@pytest.fixture
def no_default_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make building a DefaultAzureCredential fail the test (it would probe the network)."""
    import azure.identity

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("DefaultAzureCredential must not be constructed here")

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", forbidden)


# -- key auth ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "name", "value"),
    [("x-api-key", "x-api-key", KEY), ("api-key", "api-key", KEY),
     ("bearer", "authorization", f"Bearer {KEY}")],
)  # fmt: skip
def test_key_auth_sends_the_key_one_way_only(variant: str, name: str, value: str) -> None:
    stray = {"api-key": "stray", "x-api-key": "stray", "authorization": "Bearer stray"}
    headers = sent_headers(KeyAuth(KEY, variant), headers=stray)
    assert headers[name] == value
    assert [h for h in ("api-key", "x-api-key", "authorization") if h in headers] == [name]


def test_key_auth_rejects_an_unknown_variant_and_hides_the_key() -> None:
    with pytest.raises(ValueError, match="unknown key header variant 'apikey'"):
        KeyAuth(KEY, "apikey")
    assert KEY not in repr(KeyAuth(KEY, "api-key"))


def test_no_auth_removes_every_credential_header() -> None:
    headers = sent_headers(NoAuth(), headers={"api-key": KEY, "authorization": f"Bearer {KEY}"})
    assert "api-key" not in headers and "authorization" not in headers


# -- bearer auth ------------------------------------------------------------------------------


def test_bearer_auth_asks_the_provider_on_every_request() -> None:
    tokens = iter(["token-one-0000", "token-two-0000"])
    seen: list[str] = []
    learned: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        return httpx.Response(200)

    auth = BearerTokenAuth(lambda: next(tokens), on_token=learned.append)
    with httpx.Client(transport=httpx.MockTransport(handler), headers={"api-key": KEY}) as client:
        client.get(URL, auth=auth)
        client.get(URL, auth=auth)
    assert seen == ["Bearer token-one-0000", "Bearer token-two-0000"]
    assert learned == ["token-one-0000", "token-two-0000"]


def test_bearer_auth_works_with_an_async_client() -> None:
    async def send() -> str:
        transport = httpx.MockTransport(lambda request: httpx.Response(200))
        async with httpx.AsyncClient(transport=transport) as client:
            response = await client.get(URL, auth=BearerTokenAuth(lambda: "async-token-0000"))
        return response.request.headers["authorization"]

    assert asyncio.run(send()) == "Bearer async-token-0000"


def test_a_provider_failure_is_a_credential_error() -> None:
    def failing() -> str:
        raise ClientAuthenticationError(DEFAULT_AZURE_FAILURE)

    with pytest.raises(CredentialError) as caught:
        sent_headers(BearerTokenAuth(failing))
    assert str(caught.value) == f"could not get an Entra ID token: {SUMMARY}"
    assert isinstance(caught.value.__cause__, ClientAuthenticationError)


def test_an_empty_token_is_a_credential_error() -> None:
    with pytest.raises(CredentialError, match="the provider returned none"):
        sent_headers(BearerTokenAuth(lambda: " "))


# -- providers --------------------------------------------------------------------------------


def test_static_token_provider() -> None:
    assert static_token_provider("tok")() == "tok"


def test_azure_identity_provider_asks_the_credential_for_the_scope_and_caches() -> None:
    credential = FakeCredential()
    provider = azure_identity_provider(credential, AI_AZURE_SCOPE)
    first, second = provider(), provider()
    assert first == second
    assert read_claims(first).audience == ("https://ai.azure.com",)
    assert credential.calls == [(AI_AZURE_SCOPE,)]


def test_default_azure_provider_builds_the_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    import azure.identity

    built: list[FakeCredential] = []

    def fake_default() -> FakeCredential:
        built.append(FakeCredential())
        return built[-1]

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", fake_default)
    provider = default_azure_provider(COGNITIVE_SERVICES_SCOPE)
    assert len(built) == 1 and built[0].calls == []  # nothing fetched until asked
    assert read_claims(provider()).has_audience("https://cognitiveservices.azure.com")


def test_default_azure_provider_construction_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    import azure.identity

    def broken() -> None:
        raise ValueError("bad configuration\nsecond line")

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", broken)
    with pytest.raises(CredentialError, match=r"^bad configuration$"):
        default_azure_provider(COGNITIVE_SERVICES_SCOPE)


def test_summaries_are_short_and_safe() -> None:
    assert summarize_credential_error(ClientAuthenticationError(DEFAULT_AZURE_FAILURE)) == SUMMARY
    assert summarize_credential_error(RuntimeError()) == "RuntimeError"
    assert len(summarize_credential_error(RuntimeError("x" * 1000))) == 300
    leaked = summarize_credential_error(RuntimeError(f"echo {mint_test_token()}"))
    assert leaked == "echo [REDACTED-JWT]"


# -- resolving the Entra provider ---------------------------------------------------------------


@pytest.mark.usefixtures("no_default_credential")
@pytest.mark.parametrize(
    ("scope", "audience"),
    [(None, "https://cognitiveservices.azure.com"), (AI_AZURE_SCOPE, "https://ai.azure.com")],
)
def test_the_emulator_gets_minted_tokens(scope: str | None, audience: str) -> None:
    resolution = resolve_entra_provider(settings_for({}), scope=scope)
    assert resolution.provider is not None and resolution.skip_reason is None
    assert resolution.source is EntraSource.EMULATOR_MINT
    assert read_claims(resolution.provider()).audience == (audience,)


@pytest.mark.usefixtures("no_default_credential")
def test_a_mint_function_can_be_injected() -> None:
    resolution = resolve_entra_provider(settings_for({}), mint=lambda aud: f"minted-for-{aud}")
    assert resolution.provider is not None
    assert resolution.provider() == "minted-for-https://cognitiveservices.azure.com"


@pytest.mark.usefixtures("no_default_credential")
def test_replay_gets_minted_tokens(tmp_path: Path) -> None:
    settings = settings_for({}, mode="replay", cassettes=write_cassette_set(tmp_path))
    resolution = resolve_entra_provider(settings)
    assert resolution.source is EntraSource.REPLAY_MINT and resolution.provider is not None


@pytest.mark.usefixtures("no_default_credential")
def test_the_token_variable_is_used_as_is() -> None:
    token = mint_test_token()
    settings = settings_for({ENV_ENTRA_TOKEN: token}, resource="myres")
    resolution = resolve_entra_provider(settings, credential=FakeCredential())
    assert resolution.provider is not None and resolution.provider() == token
    assert resolution.source is EntraSource.ENV_TOKEN


@pytest.mark.usefixtures("no_default_credential")
def test_a_token_for_another_scope_is_a_skip_reason() -> None:
    settings = settings_for({ENV_ENTRA_TOKEN: mint_test_token()}, resource="myres")
    resolution = resolve_entra_provider(settings, scope=AI_AZURE_SCOPE)
    assert resolution.provider is None
    assert resolution.skip_reason == (
        "the token in FOUNDRY_CONFORMANCE_ENTRA_TOKEN is for https://cognitiveservices.azure.com, "
        "not https://ai.azure.com/.default"
    )


@pytest.mark.usefixtures("no_default_credential")
def test_a_token_for_another_api_is_sent_for_the_run_s_own_scope() -> None:
    """`az account get-access-token` without --resource: the endpoint's refusal is the finding."""
    token = mint_test_token(audience="https://management.azure.com")
    settings = settings_for({ENV_ENTRA_TOKEN: token}, resource="myres")
    resolution = resolve_entra_provider(settings)
    assert resolution.provider is not None and resolution.provider() == token
    other = resolve_entra_provider(settings, scope=AI_AZURE_SCOPE)
    assert other.provider is None
    assert other.skip_reason == (
        "the token in FOUNDRY_CONFORMANCE_ENTRA_TOKEN is for https://management.azure.com, "
        "not https://ai.azure.com/.default"
    )


@pytest.mark.usefixtures("no_default_credential")
def test_an_unreadable_token_is_still_used() -> None:
    settings = settings_for({ENV_ENTRA_TOKEN: "opaque-token-value"}, resource="myres")
    resolution = resolve_entra_provider(settings, scope=AI_AZURE_SCOPE)
    assert resolution.provider is not None and resolution.provider() == "opaque-token-value"


@pytest.mark.usefixtures("no_default_credential")
def test_an_injected_credential_is_probed_once() -> None:
    credential = FakeCredential()
    settings = settings_for({}, resource="myres", auth=["entra"])
    resolution = resolve_entra_provider(settings, credential=credential)
    assert resolution.source is EntraSource.AZURE_IDENTITY and resolution.provider is not None
    assert credential.calls == [(COGNITIVE_SERVICES_SCOPE,)]
    resolution.provider()
    assert len(credential.calls) == 1  # the probe's token is cached


@pytest.mark.usefixtures("no_default_credential")
def test_a_failing_credential_becomes_the_skip_reason() -> None:
    credential = FakeCredential(error=ClientAuthenticationError(DEFAULT_AZURE_FAILURE))
    settings = settings_for({}, resource="myres", auth=["entra"])
    resolution = resolve_entra_provider(settings, credential=credential)
    assert (resolution.provider, resolution.skip_reason) == (None, SUMMARY)


@pytest.mark.usefixtures("no_default_credential")
def test_without_probe_nothing_is_fetched() -> None:
    credential = FakeCredential()
    settings = settings_for({}, resource="myres", auth=["entra"])
    resolution = resolve_entra_provider(settings, credential=credential, probe=False)
    assert resolution.provider is not None and credential.calls == []


def test_explicit_entra_without_a_token_uses_default_azure_credential(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import azure.identity

    failing = FakeCredential(error=ClientAuthenticationError(DEFAULT_AZURE_FAILURE))
    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", lambda: failing)
    settings = settings_for({}, resource="myres", auth=["entra"])
    resolution = resolve_entra_provider(settings)
    assert resolution.source is EntraSource.AZURE_IDENTITY
    assert (resolution.provider, resolution.skip_reason) == (None, SUMMARY)
    assert failing.calls == [(COGNITIVE_SERVICES_SCOPE,)]


@pytest.mark.usefixtures("no_default_credential")
def test_entra_not_in_use_is_a_skip_reason() -> None:
    settings = settings_for({ENV_API_KEY: KEY}, resource="myres")
    resolution = resolve_entra_provider(settings)
    assert (resolution.provider, resolution.source) == (None, None)
    assert resolution.skip_reason == (
        "Entra ID is not in use: set FOUNDRY_CONFORMANCE_ENTRA_TOKEN or pass --auth entra."
    )


def test_importing_credentials_and_resolving_for_the_emulator_never_loads_azure_identity() -> None:
    code = (
        "import sys, json\n"
        "from conformance.config import RawOptions, resolve_settings\n"
        "from conformance.target.credentials import resolve_entra_provider\n"
        "r = resolve_entra_provider(resolve_settings(RawOptions(), {}))\n"
        "r.provider()\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('azure'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout) == []


# -- describing a token -----------------------------------------------------------------------


def test_describe_token_shows_claims_never_the_token() -> None:
    token = mint_test_token(audience="https://ai.azure.com", roles=["Foundry User"])
    described = describe_token(token)
    assert described["readable"] is True
    assert described["aud"] == ["https://ai.azure.com"]
    assert described["roles"] == ["Foundry User"]
    assert token not in json.dumps(described)
    assert describe_token("opaque") == {
        "readable": False,
        "reason": "a JWT has 3 dot-separated segments, this has 1",
    }

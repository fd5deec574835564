"""Credentials as ``httpx.Auth`` objects, and where the run's Entra ID tokens come from.

This is an I/O boundary: fetching a token may call the network (managed identity, Entra ID).
``azure.identity`` is imported lazily, inside the functions that need it, and
``DefaultAzureCredential`` is built in one place only (``default_azure_provider``), reached only
when Entra was asked for explicitly and no token variable is set: it probes the instance metadata
endpoint and must not run by surprise.

Exceptions::

    CredentialError        a token could not be obtained; the message is safe to show
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

import httpx

from ..config import EntraSource, Settings
from ..core.constants import ENV_ENTRA_TOKEN
from ..core.errors import CredentialError, TokenFormatError
from ..core.jwt_claims import mint_test_token, read_claims, scope_to_audience
from ..core.redaction import Redactor
from ..core.secret import Secret

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

# How a key may be sent: the two documented headers, and as a bearer token (a client mistake).
KEY_HEADERS = ("x-api-key", "api-key", "bearer")
KeyHeader = Literal["x-api-key", "api-key", "bearer"]
CREDENTIAL_HEADERS = ("api-key", "x-api-key", "authorization")
TROUBLESHOOT_URL = "https://aka.ms/azsdk/python/identity/defaultazurecredential/troubleshoot"
SKIP_REASON_LIMIT = 300


class TokenProvider(Protocol):
    """Returns a bearer token (without the ``Bearer`` prefix) each time it is called."""

    def __call__(self) -> str: ...


def _clear_credentials(request: httpx.Request) -> None:
    # Each auth mode is judged alone: a stray header from client defaults would blur the verdict.
    for name in CREDENTIAL_HEADERS:
        request.headers.pop(name, None)


class KeyAuth(httpx.Auth):
    """Sends the key in exactly one way: ``x-api-key``, ``api-key`` or ``Authorization: Bearer``."""

    # A plain ``str`` header is accepted (and checked) for values that are only known at run time.
    def __init__(self, key: str, header: KeyHeader | str = "x-api-key") -> None:
        if header not in KEY_HEADERS:
            raise ValueError(f"unknown key header variant {header!r}; use one of {KEY_HEADERS}")
        self._key = Secret(key)
        self.header = header

    def __repr__(self) -> str:
        return f"KeyAuth(header={self.header!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Set the one credential header and send the request once."""
        _clear_credentials(request)
        if self.header == "bearer":
            request.headers["authorization"] = f"Bearer {self._key.reveal()}"
        else:
            request.headers[self.header] = self._key.reveal()
        yield request


class NoAuth(httpx.Auth):
    """Sends no credential at all (for the AUTH-MISSING check)."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Remove every credential header and send the request once."""
        _clear_credentials(request)
        yield request


class BearerTokenAuth(httpx.Auth):
    """Sends ``Authorization: Bearer <token>``, asking ``provider`` for a token on each request."""

    def __init__(
        self, provider: TokenProvider, *, on_token: Callable[[str], None] | None = None
    ) -> None:
        self._provider = provider
        # Lets the redactor learn a token fetched mid-run before anything records the request.
        self._on_token = on_token

    def __repr__(self) -> str:
        return "BearerTokenAuth()"

    def _token(self) -> Secret:
        """A token from the provider, held as a ``Secret`` (a traceback's locals show none)."""
        try:
            token = Secret(self._provider())
        except CredentialError:
            raise
        except Exception as exc:
            raise CredentialError(
                f"could not get an Entra ID token: {summarize_credential_error(exc)}"
            ) from exc
        if not isinstance(token.reveal(), str) or not token.reveal().strip():
            raise CredentialError("could not get an Entra ID token: the provider returned none")
        if self._on_token is not None:
            self._on_token(token.reveal())
        return token

    def _apply(self, request: httpx.Request, token: Secret) -> None:
        _clear_credentials(request)
        request.headers["authorization"] = f"Bearer {token.reveal()}"

    # Getting a token may be I/O, so the sync and async flows are written out, as httpx advises.
    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Fetch a token (blocking) and send the request once."""
        self._apply(request, self._token())
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Fetch a token in a worker thread and send the request once."""
        import anyio.to_thread

        self._apply(request, await anyio.to_thread.run_sync(self._token))
        yield request


def static_token_provider(token: str) -> TokenProvider:
    """A provider that always returns ``token`` (a token fetched before the run), held as a
    ``Secret`` so that the provider's closure shows none."""
    held = Secret(token)

    def provide() -> str:
        return held.reveal()

    return provide


def azure_identity_provider(credential: TokenCredential, scope: str) -> TokenProvider:
    """A provider backed by an azure-identity credential, through ``get_bearer_token_provider``."""
    from azure.identity import get_bearer_token_provider

    # get_bearer_token_provider caches the token and refreshes it shortly before it expires.
    provider: TokenProvider = get_bearer_token_provider(credential, scope)
    return provider


def default_azure_provider(scope: str) -> TokenProvider:
    """A provider backed by ``DefaultAzureCredential``: the only place that builds one."""
    from azure.identity import DefaultAzureCredential

    try:
        credential = DefaultAzureCredential()
    except Exception as exc:
        raise CredentialError(summarize_credential_error(exc)) from exc
    return azure_identity_provider(credential, scope)


def summarize_credential_error(exc: BaseException) -> str:
    """A short, human reason from an azure-identity failure (its first lines, no secret)."""
    # Redact first: trimming or cutting could break a JWT's shape and let it through.
    text = Redactor().text(str(exc))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    head = lines[0].replace(" from the included credentials.", "").rstrip(".")
    # A chained credential lists its attempts, one per line after "Attempted credentials:".
    attempts = [
        line
        for line in lines[1:]
        if "Credential" in line.split(":")[0] and not line.startswith("Attempted")
    ]
    if attempts:
        name, _, why = attempts[0].partition(":")
        more = f" (and {len(attempts) - 1} more)" if len(attempts) > 1 else ""
        head = f"{head}: {name.strip()}: {why.strip()}{more}; see {TROUBLESHOOT_URL}"
    return head if len(head) <= SKIP_REASON_LIMIT else head[: SKIP_REASON_LIMIT - 1] + "…"


@dataclass(frozen=True)
class EntraResolution:
    """Where Entra tokens for one scope come from, or why the Entra checks must be skipped."""

    provider: TokenProvider | None
    skip_reason: str | None
    source: EntraSource | None
    scope: str


def resolve_entra_provider(
    settings: Settings,
    *,
    credential: TokenCredential | None = None,
    scope: str | None = None,
    mint: Callable[[str], str] | None = None,
    probe: bool = True,
) -> EntraResolution:
    """The token provider for ``scope`` (default: the configured one), or a skip reason.

    Order: a token variable; a minted test token for the emulator or replay; an injected
    credential; ``DefaultAzureCredential`` when Entra was asked for. With ``probe``, a provider
    backed by azure-identity fetches one token now, so that a failure becomes a skip reason before
    any check runs (the token is cached, so this costs no extra round trip later).
    """
    scope = scope or settings.entra_scope
    source = settings.entra_source
    if source in (EntraSource.EMULATOR_MINT, EntraSource.REPLAY_MINT):
        audience = scope_to_audience(scope)
        token = mint(audience) if mint is not None else mint_test_token(audience=audience)
        return EntraResolution(static_token_provider(token), None, source, scope)
    if source is EntraSource.ENV_TOKEN and settings.entra_token:
        return _env_token(settings.entra_token, scope, primary=scope == settings.entra_scope)
    if credential is not None:
        return _probed(lambda: azure_identity_provider(credential, scope), scope, probe)
    if source is EntraSource.AZURE_IDENTITY:
        return _probed(lambda: default_azure_provider(scope), scope, probe)
    return EntraResolution(
        None,
        f"Entra ID is not in use: set {ENV_ENTRA_TOKEN} or pass --auth entra.",
        None,
        scope,
    )


def _env_token(token: str, scope: str, *, primary: bool) -> EntraResolution:
    """The token from the environment. For the run's own scope (``primary``) it is sent
    whatever its ``aud`` says, so that a token for another API (``az account
    get-access-token`` without ``--resource`` gives Azure Resource Manager's) meets the
    endpoint's refusal and is diagnosed; for another scope it is not that scope's token."""
    try:
        claims = read_claims(token)
    except TokenFormatError:
        claims = None  # unreadable: send it anyway and let the endpoint's answer speak
    if primary or claims is None or not claims.audience:
        return EntraResolution(static_token_provider(token), None, EntraSource.ENV_TOKEN, scope)
    if not claims.has_audience(scope_to_audience(scope)):
        audience = ", ".join(claims.audience)
        reason = f"the token in {ENV_ENTRA_TOKEN} is for {audience}, not {scope}"
        return EntraResolution(None, reason, EntraSource.ENV_TOKEN, scope)
    return EntraResolution(static_token_provider(token), None, EntraSource.ENV_TOKEN, scope)


def _probed(build: Callable[[], TokenProvider], scope: str, probe: bool) -> EntraResolution:
    source = EntraSource.AZURE_IDENTITY
    try:
        provider = build()
        if probe:
            provider()
    except Exception as exc:
        return EntraResolution(None, summarize_credential_error(exc), source, scope)
    return EntraResolution(provider, None, source, scope)


def describe_token(token: str) -> dict[str, Any]:
    """The claims of ``token`` that a report may show (never the token itself)."""
    try:
        claims = read_claims(token)
    except TokenFormatError as exc:
        return {"readable": False, "reason": str(exc)}
    return {"readable": True, **claims.public_view()}

"""One run's shared state: the settings, the target it talks to, the seam, and the credentials.

``FoundryRun`` is created once per pytest session by the plugin. It starts the embedded emulator
when the run targets it, opens the recording seam, and hands out ``httpx.Auth`` objects per auth
variant. Credentials that are not available become an ``Unavailable`` with the reason, which the
checks turn into a skip that says why.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime

import httpx
from azure.core.credentials import TokenCredential

from ..config import AuthMode, Mode, Settings
from ..config.values import alternate_scope
from ..core.constants import EMULATOR_UNPRIVILEGED_PRINCIPAL, ENV_UNPRIVILEGED_TOKEN
from ..core.errors import BudgetExceeded, TokenFormatError, Unavailable
from ..core.interactions import current_tag, run_case, tagged
from ..core.jwt_claims import TokenClaims, mint_test_token, read_claims, scope_to_audience
from ..core.publish import Publisher
from ..core.redaction import Redactor
from ..emulator.profiles import parse_profiles
from ..emulator.server import EmulatorServer
from ..recording import CassetteTransport, open_cassettes
from .credentials import BearerTokenAuth, KeyAuth, resolve_entra_provider, static_token_provider
from .discovery import Discovery, discover
from .seam import FoundryClient, InteractionLog

# Inventory probes in flight at once: a resource answers in ~100 ms, fifteen names take ~0.4 s.
PARALLEL_PROBES = 4
# The case under which the session's own requests (choosing the primary auth) are recorded.
PRIMARY_AUTH_CASE = run_case("primary-auth")

# A key that is certainly wrong, for AUTH-BAD-KEY: well-formed (32 hex characters, like Azure's).
BAD_KEY = "0" * 24 + "badc0ffe"
# The labels of requests that carry a token of the run's providers (the configured scope's, the
# other scope's, and the SDK's, which draws on the first).
_PROVIDER_LABELS = frozenset({"entra", "entra-alt-scope", "sdk-entra"})


class FoundryRun:
    """The target, the seam and the credentials of one run."""

    def __init__(
        self,
        settings: Settings,
        *,
        env: Mapping[str, str],
        credential: TokenCredential | None = None,
        transport: httpx.BaseTransport | None = None,
        redactor: Redactor | None = None,
        publisher: Publisher | None = None,
    ) -> None:
        self.settings = settings
        self.env = env
        self.credential = credential
        self.redactor = redactor if redactor is not None else Redactor(settings.secrets())
        # Every file of the run (cassettes as they are recorded, then the reports) goes out
        # through it: staged, scanned, then moved into place.
        self.publisher = publisher if publisher is not None else Publisher(self.redactor)
        self.log = InteractionLog(
            self.redactor,
            max_requests=settings.max_requests,
            max_tokens=settings.max_tokens_budget,
        )
        self.started_at = datetime.now(UTC)
        self.started_monotonic = time.monotonic()
        self.token_claims: dict[str, TokenClaims] = {}
        # What the inventory of the profile's default names found (plugin.inventory takes it).
        self.inventory: Discovery | None = None
        self._inventory_lock = threading.Lock()
        self.emulator: EmulatorServer | None = None
        # Record and replay runs: the transport that files every exchange by check case.
        self.cassettes: CassetteTransport | None = None
        self._transport = transport
        self._stack = contextlib.ExitStack()
        self._client: FoundryClient | None = None
        self._providers: dict[str, Callable[[], str] | Unavailable] = {}
        self._primary: str | None = None
        self._primary_lock = threading.Lock()
        self._providers_lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FoundryRun:
        """Start the emulator if the run targets it, and open the seam."""
        if self.settings.kind is Mode.EMULATOR and self.settings.base_url is None:
            # The embedded emulator serves the deployments the run names (or the profile's), each
            # behaving as its model in the run's own platform profile.
            config = parse_profiles(
                self.settings.emulator_profiles or "default",
                deployments=self.settings.deployments or None,
                profile=self.settings.profile,
            )
            server = EmulatorServer(config=config, api_key=self.settings.api_key)
            self.emulator = self._stack.enter_context(server)
            self.settings = self.settings.with_base_url(server.base_url)
        if self.settings.base_url is None:
            raise RuntimeError("the run has no base URL (the replay glue sets it from cassettes)")
        transport = self._transport
        if self.settings.kind in (Mode.RECORD, Mode.REPLAY):
            # A replay has no inner transport at all: no request can fall through to the network.
            self.cassettes = open_cassettes(
                self.settings,
                self.redactor,
                started_at=self.started_at,
                inner=transport,
                publisher=self.publisher,
            )
            transport = self.cassettes
        self._client = FoundryClient(
            self.settings.base_url,
            self.log,
            timeout=self.settings.timeout,
            transport=transport,
            anthropic_version=self.settings.profile.documented_version,
        )
        self._stack.callback(self._client.close)
        return self

    def close(self) -> None:
        """Close the seam and stop the emulator."""
        self._stack.close()

    @property
    def client(self) -> FoundryClient:
        """The recording client (``start()`` first)."""
        if self._client is None:
            raise RuntimeError("FoundryRun.start() was not called")
        return self._client

    @property
    def today(self) -> date:
        """The day the run judges lifecycles by (the day it started, UTC)."""
        return self.started_at.date()

    @property
    def deployments(self) -> tuple[str, ...]:
        """The deployments the run tests: those configured, else those the inventory found."""
        if self.settings.deployments:
            return self.settings.deployments
        return self.inventory.to_test() if self.inventory is not None else ()

    @property
    def primary_deployment(self) -> str:
        """The deployment the single-deployment checks use: the first of ``deployments``."""
        if not self.deployments:
            probed = ", ".join(self.inventory.probed) if self.inventory is not None else "none"
            raise Unavailable(
                "no deployment to test: none of the platform profile's default names answers on "
                f"this resource (probed: {probed}); name yours with --deployment NAME"
            )
        return self.deployments[0]

    def default_names(self) -> tuple[str, ...]:
        """The profile's default deployment names a run probes for (those not retired)."""
        return self.settings.profile.discovery_candidates(self.today)

    def take_inventory(self, *, complete: bool = True) -> Discovery:
        """Which of the default names exist (free count_tokens requests, each name asked once);
        not ``complete``: only until one is found (what a smoke run needs to test one)."""
        with self._inventory_lock:
            names = self.default_names()
            asked = self.inventory.probed if self.inventory is not None else ()
            if self.inventory is not None and (not complete or set(names) <= set(asked)):
                return self.inventory
            try:
                label, auth = self.primary_auth()  # chosen once, before the probes share it
            except (Unavailable, BudgetExceeded) as exc:
                unclear = tuple((name, str(exc)) for name in names)
                self.inventory = Discovery(names, (), (), unclear)
                return self.inventory

            def count_tokens(name: str) -> httpx.Response:
                body = {"model": name, "messages": [{"role": "user", "content": "ok"}]}
                with tagged(auth=label):
                    request = self.client.build("POST", "v1/messages/count_tokens", json=body)
                    return self.client.send(request, auth=auth)

            left = [name for name in names if name not in asked]
            parallel = min(PARALLEL_PROBES, self.settings.jobs)
            more = discover(left, count_tokens, parallel=parallel, until_found=not complete)
            self.inventory = more if self.inventory is None else self.inventory.joined(more)
            return self.inventory

    # -- credentials -----------------------------------------------------------------------

    @property
    def api_key(self) -> str:
        """The key, or ``Unavailable`` saying how to provide one."""
        if self.settings.api_key is None:
            raise Unavailable(
                "no API key: set ANTHROPIC_FOUNDRY_API_KEY to the key from the resource's "
                "Keys and Endpoint page"
            )
        return self.settings.api_key

    def has_mode(self, mode: AuthMode) -> bool:
        """Whether the run uses ``mode`` (by credentials present, narrowed by ``--auth``)."""
        return mode in self.settings.auth_modes

    def require_mode(self, mode: AuthMode) -> None:
        """``Unavailable`` unless the run uses ``mode``."""
        if self.has_mode(mode):
            return
        if self.settings.auth_explicit:
            raise Unavailable(f"--auth does not include {mode.value}")
        if mode is AuthMode.ENTRA:
            audience = scope_to_audience(self.settings.profile.default_scope)
            raise Unavailable(
                "no Entra ID credential: set FOUNDRY_CONFORMANCE_ENTRA_TOKEN (e.g. from "
                f"`az account get-access-token --resource {audience}`) "
                "or pass --auth entra to use DefaultAzureCredential"
            )
        raise Unavailable("no API key: set ANTHROPIC_FOUNDRY_API_KEY")

    def key_auth(self, header: str = "x-api-key") -> httpx.Auth:
        """The run's key in ``header`` (``x-api-key``, ``api-key`` or ``bearer``)."""
        return KeyAuth(self.api_key, header)

    def bad_key_auth(self, header: str) -> httpx.Auth:
        """A certainly wrong key in ``header``."""
        return KeyAuth(BAD_KEY, header)

    def token_provider(self, scope: str | None = None) -> Callable[[], str]:
        """A provider of Entra tokens for ``scope`` (default: the configured scope)."""
        scope = scope or self.settings.entra_scope
        with self._providers_lock:
            cached = self._providers.get(scope)
            if cached is None:
                cached = self._resolve_provider(scope)
                self._providers[scope] = cached
        if isinstance(cached, Unavailable):
            raise cached
        return cached

    def entra_auth(self, scope: str | None = None) -> httpx.Auth:
        """Bearer auth with a token for ``scope``."""
        return BearerTokenAuth(self.token_provider(scope))

    def alternate_scope(self) -> str:
        """The other known scope than the configured one."""
        return alternate_scope(self.settings.entra_scope, self.settings.profile.accepted_scopes)

    def unprivileged_auth(self) -> httpx.Auth:
        """Bearer auth with a token of a principal that holds no data-plane role (AUTH-RBAC)."""
        token = (self.env.get(ENV_UNPRIVILEGED_TOKEN) or "").strip()
        if not token and self.settings.kind is Mode.EMULATOR:
            token = mint_test_token(
                audience=scope_to_audience(self.settings.entra_scope),
                roles=[],
                object_id=EMULATOR_UNPRIVILEGED_PRINCIPAL,
            )
        if not token:
            raise Unavailable(
                f"opt-in probe: set {ENV_UNPRIVILEGED_TOKEN} to a token of a principal without "
                "a data-plane role on the resource"
            )
        self._remember_token("rbac-probe", token)
        return BearerTokenAuth(static_token_provider(token))

    def primary_auth(self) -> tuple[str, httpx.Auth]:
        """The auth the non-auth checks use: the first mode the endpoint accepts.

        Preference: ``x-api-key``, ``api-key``, Entra. When the run has several, one free
        ``count_tokens`` request per candidate (at most) finds the first that is not refused, so
        that a refused mode fails its own AUTH check and not every other check as well.
        """
        with self._primary_lock:
            if self._primary is None:
                self._primary = self._choose_primary()
        return self._primary, self._auth_for(self._primary)

    def _auth_for(self, label: str) -> httpx.Auth:
        if label == "entra":
            return self.entra_auth()
        return self.key_auth(label)

    def _candidates(self) -> list[str]:
        modes = [
            (AuthMode.X_API_KEY, "x-api-key"),
            (AuthMode.API_KEY, "api-key"),
            (AuthMode.ENTRA, "entra"),
        ]
        candidates = []
        for mode, label in modes:
            if not self.has_mode(mode):
                continue
            try:
                self._auth_for(label)
            except Unavailable:
                continue
            candidates.append(label)
        return candidates

    def _choose_primary(self) -> str:
        candidates = self._candidates()
        if not candidates:
            raise Unavailable("no credential for any auth mode is available")
        if len(candidates) == 1:
            return candidates[0]
        # Any deployment name will do: the gateway judges the credential before the deployment
        # (always the same one, so that a replay sends what its recording sent).
        name = (*self.default_names(), *self.settings.deployments)[0]
        body = {"model": name, "messages": [{"role": "user", "content": "ok"}]}
        for label in candidates:
            with tagged(check_id=None, case=PRIMARY_AUTH_CASE, auth=label, expects_error=True):
                request = self.client.build("POST", "v1/messages/count_tokens", json=body)
                try:
                    response = self.client.send(request, auth=self._auth_for(label))
                except httpx.HTTPError:
                    return candidates[0]  # the checks themselves will meet and report the failure
            if response.status_code not in (401, 403):
                return label
        return candidates[0]

    def _resolve_provider(self, scope: str) -> Callable[[], str] | Unavailable:
        if not self.has_mode(AuthMode.ENTRA):
            try:
                self.require_mode(AuthMode.ENTRA)
            except Unavailable as exc:
                return exc
        recording = self.settings.recording
        if recording is not None and recording.token_scopes.get(scope):
            # A replay has the tokens the recording had: no more, so the same checks skip, with
            # a reason that is true for whoever replays (who set none of the recording's variables).
            return Unavailable(recording.lacks_token(scope))
        resolution = resolve_entra_provider(self.settings, credential=self.credential, scope=scope)
        if resolution.provider is None:
            return Unavailable(resolution.skip_reason or "no Entra ID token is available")
        inner = resolution.provider
        label = "entra" if scope == self.settings.entra_scope else "entra-alt-scope"

        def provider() -> str:
            token = inner()
            self._remember_token(label, token)
            return token

        return provider

    def token_scopes(self) -> dict[str, str | None]:
        """Each Entra scope a token was asked for: None if one came, else why not."""
        return {
            scope: str(provider) if isinstance(provider, Unavailable) else None
            for scope, provider in self._providers.items()
        }

    def _remember_token(self, label: str, token: str) -> None:
        """Scrub ``token`` from everything from now on, and keep its claims for diagnoses under
        the label of the request it is fetched for (the SDK's ``sdk-entra`` calls draw on the
        same provider as ``entra``): the diagnoses read the claims of the token a refused
        request carried, never those of another."""
        self.redactor.add(token)
        sending = current_tag().auth
        if sending in _PROVIDER_LABELS:
            label = sending
        if label not in self.token_claims:
            with contextlib.suppress(TokenFormatError):
                self.token_claims.setdefault(label, read_claims(token))

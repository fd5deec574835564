"""Which credentials a run uses: a key and an Entra ID token from the environment (never from
flags), the emulator's own, or a replay's placeholder; narrowed by ``--auth``.

Pure: no network; every failure is a ``ConfigError`` that names the variable and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from ..core.constants import (
    EMULATOR_DEV_API_KEY,
    ENV_API_KEY,
    ENV_ENTRA_TOKEN,
    ENV_UNPRIVILEGED_TOKEN,
)
from ..core.errors import CONFIG_MISSING, ConfigError
from ..core.jwt_claims import TokenClaims
from .types import AuthMode, EntraSource, Mode
from .values import (
    Remarks,
    dedupe,
    parse_choice,
    read_env_token,
    require_header_safe,
    split_values,
    token_command,
)

# Sent in replay, where nothing reaches a server: a live key has no business there.
REPLAY_PLACEHOLDER_KEY = "replay-placeholder-key-00000000000000000000"


@dataclass(frozen=True)
class Credentials:
    """The credentials a run uses, and the auth modes it exercises with them (the secrets kept
    out of ``repr``, which a traceback's locals show)."""

    api_key: str | None = field(repr=False)
    api_key_source: str | None
    entra_token: str | None = field(repr=False)
    entra_source: EntraSource | None
    claims: TokenClaims | None = None
    ignored_secrets: tuple[str, ...] = field(default=(), repr=False)
    modes: tuple[AuthMode, ...] = ()
    explicit: bool = False


def resolve_auth(
    auth: Sequence[str] | None,
    env: Mapping[str, str],
    kind: Mode,
    now: datetime,
    remarks: Remarks,
    scope: str,
) -> Credentials:
    """The credentials from the environment, narrowed by ``--auth``; ``ConfigError`` if none
    (``scope``: the platform's default Entra scope, for the ``az`` command the messages show)."""
    requested = dedupe(parse_choice(v, AuthMode, "--auth") for v in split_values(auth))
    modes = tuple(AuthMode(m) for m in requested)
    command = token_command(scope)
    creds = _credentials(env, kind, now, remarks, command)
    if modes and creds.api_key is None and {AuthMode.API_KEY, AuthMode.X_API_KEY} & set(modes):
        named = " ".join(f"--auth {m}" for m in modes if m is not AuthMode.ENTRA)
        raise ConfigError(
            f"{named} needs an API key, and {ENV_API_KEY} is not set.",
            f"Set {ENV_API_KEY} to a key from the resource's Keys and Endpoint page (keys are "
            "never taken from flags), or use --auth entra.",
            source=ENV_API_KEY,
            code=CONFIG_MISSING,
        )
    if not modes:
        with_key = (AuthMode.API_KEY, AuthMode.X_API_KEY) if creds.api_key else ()
        # DefaultAzureCredential probes the network: it is only consulted when asked for.
        default_entra = creds.entra_source is not EntraSource.AZURE_IDENTITY
        modes = with_key + ((AuthMode.ENTRA,) if default_entra else ())
    if not modes:
        raise ConfigError(
            f"No credentials are configured for the endpoint ({ENV_API_KEY} and "
            f"{ENV_ENTRA_TOKEN} are unset).",
            f"Set {ENV_API_KEY} (from the resource's Keys and Endpoint page), or "
            f"{ENV_ENTRA_TOKEN} (e.g. from `{command}`), or pass --auth entra to use "
            "DefaultAzureCredential.",
            source=ENV_API_KEY,
            code=CONFIG_MISSING,
        )
    entra = creds.entra_source if AuthMode.ENTRA in modes else None
    return replace(creds, modes=modes, explicit=bool(requested), entra_source=entra)


def _credentials(
    env: Mapping[str, str], kind: Mode, now: datetime, remarks: Remarks, command: str
) -> Credentials:
    """The credentials each kind of target uses, before ``--auth`` narrows the modes; the
    AUTH-RBAC probe's token, when set, is a secret of the run from the start (redacted and
    scanned for even before, or without, that probe sending it)."""
    creds = _own_credentials(env, kind, now, remarks, command)
    unprivileged = env.get(ENV_UNPRIVILEGED_TOKEN, "").strip()
    if not unprivileged:
        return creds
    return replace(creds, ignored_secrets=(*creds.ignored_secrets, unprivileged))


def _own_credentials(
    env: Mapping[str, str], kind: Mode, now: datetime, remarks: Remarks, command: str
) -> Credentials:
    key, token = env.get(ENV_API_KEY), env.get(ENV_ENTRA_TOKEN)
    if key and kind is not Mode.REPLAY:  # a replay sends nothing, so it cannot send a bad value
        require_header_safe(key, ENV_API_KEY, "the key from the resource's Keys and Endpoint page")
    unprivileged = env.get(ENV_UNPRIVILEGED_TOKEN, "").strip()
    if unprivileged and kind is not Mode.REPLAY:
        require_header_safe(unprivileged, ENV_UNPRIVILEGED_TOKEN, "a token of that principal")
    if kind is Mode.EMULATOR:
        if token:
            remarks.notes.append(
                f"{ENV_ENTRA_TOKEN} is ignored with the emulator: it mints tokens."
            )
        # The emulator accepts ANTHROPIC_FOUNDRY_API_KEY when set, its development key otherwise.
        key, source = (key, ENV_API_KEY) if key else (EMULATOR_DEV_API_KEY, "emulator-dev-key")
        ignored: tuple[str, ...] = (token,) if token else ()
        return Credentials(key, source, None, EntraSource.EMULATOR_MINT, ignored_secrets=ignored)
    if kind is Mode.REPLAY:
        unused = [name for name in (ENV_API_KEY, ENV_ENTRA_TOKEN) if name in env]
        if unused:
            remarks.notes.append(f"{' and '.join(unused)} not used in replay: nothing is sent.")
        ignored = tuple(env[name] for name in unused)
        placeholder = (REPLAY_PLACEHOLDER_KEY, "replay-placeholder", None, EntraSource.REPLAY_MINT)
        return Credentials(*placeholder, ignored_secrets=ignored)
    claims = None
    if token:
        token, claims = read_env_token(token, now, remarks, command)
    entra = EntraSource.ENV_TOKEN if token else EntraSource.AZURE_IDENTITY
    return Credentials(key, ENV_API_KEY if key else None, token, entra, claims)

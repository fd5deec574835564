"""The configuration's vocabulary: what a run talks to, how it authenticates, which checks run,
where its Entra ID tokens come from. Re-exported by ``config``, where callers take them from."""

from __future__ import annotations

from enum import StrEnum


class AuthMode(StrEnum):
    """How a request authenticates."""

    API_KEY = "api-key"
    X_API_KEY = "x-api-key"
    ENTRA = "entra"


class Mode(StrEnum):
    """What the run talks to."""

    LIVE = "live"
    RECORD = "record"
    REPLAY = "replay"
    EMULATOR = "emulator"


class Suite(StrEnum):
    """Which checks run."""

    SMOKE = "smoke"
    STANDARD = "standard"
    FULL = "full"


class EntraSource(StrEnum):
    """Where the run's Entra ID tokens come from."""

    ENV_TOKEN = "env-token"
    AZURE_IDENTITY = "azure-identity"
    EMULATOR_MINT = "emulator-mint"
    REPLAY_MINT = "replay-mint"

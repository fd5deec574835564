"""Resolve the run's configuration from command-line options and the environment.

Precedence, as in the official SDK where it has a rule: **flags > environment > defaults**.

- ``--resource`` and ``--base-url`` are mutually exclusive, and so are the variables
  ``ANTHROPIC_FOUNDRY_RESOURCE`` and ``ANTHROPIC_FOUNDRY_BASE_URL``; a flag wins over either
  variable (and a note says so).
- No endpoint and no ``--mode``: the embedded emulator. ``--mode live`` or ``record`` without an
  endpoint is an error rather than a silent emulator run, which would let a CI gate pass on nothing.
- Secrets come only from the environment, never from flags, and never appear in a message.
- An empty variable counts as unset (CI systems export missing secrets as empty strings).
- ``--mode replay`` takes the recording's endpoint and options from its ``metadata.json``
  (``config.replay``); ``--mode record`` refuses a directory that holds files it did not record
  there, unless ``--overwrite`` is given.

Pure: no network, pytest or vcrpy import; every failure is a ``ConfigError`` (exit status 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from ..core import catalog
from ..core.constants import (
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_ENTRA_TOKEN,
    ENV_RESOURCE,
    ENV_UNPRIVILEGED_TOKEN,
)
from ..core.errors import CONFIG_CONFLICT, CONFIG_MISSING, ConfigError
from ..core.platform import PlatformProfile
from ..core.platform_load import ProfileError, builtin_profile, load_profile
from ..core.redaction import Redactor
from .auth import resolve_auth
from .endpoint import resolve_endpoint
from .recording import DEFAULT_MAX_CASSETTE_AGE_DAYS, check_record_directory
from .replay import replaying
from .settings import (
    DEFAULT_CASSETTES_DIR,
    DEFAULT_EMULATOR_PROFILE,
    DEFAULT_MAX_REQUESTS,
    DEFAULT_MAX_TOKENS_BUDGET,
    DEFAULT_REPORT_DIR,
    DEFAULT_TIMEOUT_S,
    MAX_THRESHOLD_MS,
    MAX_TIMEOUT_S,
    RawOptions,
    Settings,
)
from .types import EntraSource, Mode, Suite
from .values import (
    Remarks,
    dedupe,
    normalize_deployments,
    parse_choice,
    parse_float,
    parse_int,
    parse_jobs,
    scope_for_token,
    split_values,
    validate_profiles,
    validate_selection,
)


@dataclass(frozen=True)
class _Target:
    kind: Mode
    base_url: str | None
    resource: str | None
    endpoint_source: str
    profiles: str | None
    cassettes: Path | None


def resolve_settings(
    raw: RawOptions, env: Mapping[str, str], *, now: datetime | None = None
) -> Settings:
    """The run's ``Settings`` from options and environment, or a ``ConfigError`` with the fix."""
    names = (ENV_API_KEY, ENV_RESOURCE, ENV_BASE_URL, ENV_ENTRA_TOKEN, ENV_UNPRIVILEGED_TOKEN)
    values = _Environment({name: env[name].strip() for name in names if env.get(name, "").strip()})
    # Whatever went wrong, a secret from the environment must not reach a message.
    redactor = Redactor(values.get(name) for name in _SECRET_VARIABLES)
    remarks = Remarks()
    try:
        settings = _resolve(raw, values, now or datetime.now(UTC), remarks)
    except ConfigError as exc:
        text = redactor.text
        raise ConfigError(
            text(exc.problem), text(exc.fix), source=exc.source, code=exc.code
        ) from None
    return replace(
        settings,
        notes=tuple(redactor.text(n) for n in remarks.notes),
        warnings=tuple(redactor.text(w) for w in remarks.warnings),
    )


_SECRET_VARIABLES = (ENV_API_KEY, ENV_ENTRA_TOKEN, ENV_UNPRIVILEGED_TOKEN)


class _Environment(dict[str, str]):
    """The variables a run reads, whose ``repr`` (in a traceback's locals, say) names them
    without the values of the secret ones."""

    def __repr__(self) -> str:
        shown = (
            f"{name}=[REDACTED]" if name in _SECRET_VARIABLES else f"{name}={value!r}"
            for name, value in self.items()
        )
        return f"Environment({', '.join(shown)})"


def _resolve(raw: RawOptions, env: Mapping[str, str], now: datetime, remarks: Remarks) -> Settings:
    profile = _platform_profile(raw.platform_profile)
    target = _resolve_target(raw, env, remarks)
    auth = resolve_auth(raw.auth, env, target.kind, now, remarks, profile.default_scope)
    # Only a token read from the environment carries an audience to match the scope against.
    claims = auth.claims if auth.entra_source is EntraSource.ENV_TOKEN else None
    report_dir = raw.report_dir if raw.report_dir not in (None, "") else DEFAULT_REPORT_DIR
    settings = Settings(
        kind=target.kind,
        base_url=target.base_url,
        resource=target.resource,
        endpoint_source=target.endpoint_source,
        deployments=normalize_deployments(raw.deployments),
        auth_modes=auth.modes,
        auth_explicit=auth.explicit,
        api_key=auth.api_key,
        api_key_source=auth.api_key_source,
        entra_token=auth.entra_token,
        entra_source=auth.entra_source,
        entra_scope=scope_for_token(raw.entra_scope, profile.accepted_scopes, claims, remarks),
        emulator_profiles=target.profiles,
        suite=parse_choice(raw.suite, Suite, "--suite") if raw.suite else Suite.STANDARD,
        select=validate_selection(dedupe(split_values(raw.select)), raw.suite),
        report_dir=Path(report_dir),
        cassettes=target.cassettes,
        max_requests=parse_int(raw.max_requests, "--max-requests", default=DEFAULT_MAX_REQUESTS),
        max_tokens_budget=parse_int(
            raw.max_tokens_budget, "--max-tokens", default=DEFAULT_MAX_TOKENS_BUDGET
        ),
        probe_rate_limit=bool(raw.probe_rate_limit),
        timeout=parse_float(
            raw.timeout, "--timeout", default=DEFAULT_TIMEOUT_S, maximum=MAX_TIMEOUT_S
        ),
        redact_resource=bool(raw.redact_resource),
        ignored_secrets=auth.ignored_secrets,
        max_latency_ms=_threshold(raw.max_latency_ms, "--max-latency-ms"),
        max_ttft_ms=_threshold(raw.max_ttft_ms, "--max-ttft-ms"),
        jobs=parse_jobs(raw.jobs, replay=target.kind is Mode.REPLAY),
        profile=profile,
        overwrite=bool(raw.overwrite) and target.kind is Mode.RECORD,
    )
    if raw.overwrite and target.kind is not Mode.RECORD:
        remarks.warnings.append("--overwrite is ignored without --mode record.")
    # Checked whatever the mode, so that a typo fails now rather than when a replay reads it.
    parse_int(
        raw.max_cassette_age,
        "--max-cassette-age",
        default=DEFAULT_MAX_CASSETTE_AGE_DAYS,
        minimum=0,
    )
    if settings.probe_rate_limit and settings.select:
        chosen = {c.id for c in catalog.select(settings.suite, settings.select)}
        if catalog.RATE_LIMIT_PROBE not in chosen:
            remarks.warnings.append(
                f"--probe-rate-limit is ignored: --select {' '.join(settings.select)} does not "
                f"include {catalog.RATE_LIMIT_PROBE}, the probe it enables (add --select "
                f"{catalog.RATE_LIMIT_PROBE})."
            )
    if settings.kind is Mode.RECORD and settings.cassettes is not None:
        check_record_directory(settings.cassettes, overwrite=settings.overwrite)
    if settings.kind is Mode.REPLAY and settings.cassettes is not None:
        return replaying(settings, raw, now, remarks)
    return settings


def _platform_profile(path: str | Path | None) -> PlatformProfile:
    """The built-in platform profile, extended by ``--platform-profile FILE`` when given."""
    if path in (None, ""):
        return builtin_profile()
    try:
        return load_profile(Path(str(path)))
    except ProfileError as exc:
        raise ConfigError(
            str(exc),
            "Fix the file (docs/platform-profile.md describes its tables), or drop "
            "--platform-profile to use the built-in profile.",
            source="--platform-profile",
        ) from None


def _threshold(value: float | str | None, source: str) -> float | None:
    """A PERF-LATENCY threshold in milliseconds, or None when not given."""
    if value is None:
        return None
    return parse_float(value, source, default=2000, maximum=MAX_THRESHOLD_MS, unit="milliseconds")


def _resolve_target(raw: RawOptions, env: Mapping[str, str], remarks: Remarks) -> _Target:
    mode = parse_choice(raw.mode, Mode, "--mode") if raw.mode else None
    if raw.emulator is not None or mode is Mode.EMULATOR:
        return _emulator_target(raw, mode, env, remarks)
    endpoint = resolve_endpoint(raw.resource, raw.base_url, env, remarks)
    if endpoint is None:
        return _no_endpoint_target(raw, mode, remarks)
    kind = mode or Mode.LIVE
    cassettes = _cassettes(raw, kind, remarks)
    return _Target(kind, endpoint.base_url, endpoint.resource, endpoint.source, None, cassettes)


def _emulator_target(
    raw: RawOptions, mode: Mode | None, env: Mapping[str, str], remarks: Remarks
) -> _Target:
    asked = "--emulator" if raw.emulator is not None else "--mode emulator"
    given = (("--resource", raw.resource), ("--base-url", raw.base_url))
    flag = next((name for name, value in given if value is not None), None)
    if flag is not None:
        raise ConfigError(
            f"{asked} and {flag} are both given; the emulator and a live endpoint cannot both "
            "be the target.",
            f"Drop {asked} to test the endpoint, or drop {flag} to run against the emulator.",
            source=f"{asked} and {flag}",
            code=CONFIG_CONFLICT,
        )
    if mode not in (None, Mode.EMULATOR):
        raise ConfigError(
            f"{asked} and --mode {mode} are both given; the emulator is its own mode.",
            f"Drop --mode {mode} to run against the emulator, or drop {asked} and configure an "
            "endpoint (or cassettes, for replay).",
            source=f"{asked} and --mode",
            code=CONFIG_CONFLICT,
        )
    if raw.cassettes not in (None, ""):
        raise _cassettes_without_a_mode(mode)
    ignored = (name for name in (ENV_RESOURCE, ENV_BASE_URL) if name in env)
    remarks.notes.extend(f"{asked} given: {name} is ignored." for name in ignored)
    profiles = validate_profiles(raw.emulator or "")
    return _Target(Mode.EMULATOR, None, None, "emulator", profiles, None)


def _no_endpoint_target(raw: RawOptions, mode: Mode | None, remarks: Remarks) -> _Target:
    where = f"--resource NAME or {ENV_RESOURCE}, or --base-url URL or {ENV_BASE_URL}"
    if mode is None:
        if raw.cassettes not in (None, ""):
            raise _cassettes_without_a_mode(None)
        remarks.notes.append(
            f"No endpoint is configured ({where}): the run uses the embedded emulator, which "
            "proves nothing about Azure."
        )
        return _Target(Mode.EMULATOR, None, None, "emulator", DEFAULT_EMULATOR_PROFILE, None)
    if mode is Mode.REPLAY:
        return _Target(Mode.REPLAY, None, None, "cassettes", None, _cassettes(raw, mode, remarks))
    record_the_emulator = (
        " To record the emulator, start it (foundry-conformance emulator --port 8800) and pass "
        "--base-url http://127.0.0.1:8800/anthropic/."
        if mode is Mode.RECORD
        else ""
    )
    raise ConfigError(
        f"--mode {mode} needs a live endpoint, and none is configured.",
        f"Set {where}; or drop --mode {mode} to try the embedded emulator.{record_the_emulator}",
        source="--mode",
        code=CONFIG_MISSING,
    )


def _cassettes(raw: RawOptions, kind: Mode, remarks: Remarks) -> Path | None:
    given = raw.cassettes not in (None, "")
    if kind is Mode.REPLAY and not given:
        raise ConfigError(
            "--mode replay needs the recorded cassettes, and --cassettes is not given.",
            "Pass --cassettes DIR, the directory a --mode record run wrote.",
            source="--cassettes",
            code=CONFIG_MISSING,
        )
    if kind is Mode.RECORD and not given:
        remarks.notes.append(f"--cassettes not given: recording into {DEFAULT_CASSETTES_DIR}/.")
        return Path(DEFAULT_CASSETTES_DIR)
    if given and kind not in (Mode.RECORD, Mode.REPLAY):
        raise _cassettes_without_a_mode(kind if raw.mode else None)
    return Path(str(raw.cassettes)) if given else None


def _cassettes_without_a_mode(kind: Mode | None) -> ConfigError:
    """--cassettes in a run that neither records nor replays: never ignored in silence."""
    run = f"a --mode {kind} run" if kind is not None else "a run without --mode"
    return ConfigError(
        f"--cassettes is given, but {run} neither records nor replays cassettes.",
        "Add --mode replay to replay the cassettes in that directory, or --mode record to record "
        "into it; or drop --cassettes.",
        source="--cassettes",
        code=CONFIG_CONFLICT,
    )

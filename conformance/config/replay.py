"""A replay's configuration: the recording's endpoint and options, unless a flag says otherwise.

``--mode replay --cassettes DIR`` reads ``DIR/metadata.json`` before anything runs (a missing or
incompatible set is a ``ConfigError``: exit 2, nothing sent) and takes from it what the recording
used — endpoint, deployments, auth modes, Entra scope, suite, selection — so that the replay sends
the requests that were recorded. A flag still wins (and an auth mode the recording lacks is warned
about). Pure: reads one small JSON file, imports no network, pytest or vcrpy code.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from .recording import DEFAULT_MAX_CASSETTE_AGE_DAYS, age_warning, read_recording
from .settings import RawOptions, Settings
from .types import AuthMode, EntraSource, Suite
from .values import Remarks, parse_choice, parse_int

KEY_MODES = frozenset({AuthMode.API_KEY, AuthMode.X_API_KEY})


def replaying(settings: Settings, raw: RawOptions, now: datetime, remarks: Remarks) -> Settings:
    """``settings`` completed from the cassette set's metadata, with the notes a replay shows."""
    if settings.cassettes is None:
        return settings
    recording = read_recording(settings.cassettes)
    max_age = parse_int(
        raw.max_cassette_age,
        "--max-cassette-age",
        default=DEFAULT_MAX_CASSETTE_AGE_DAYS,
        minimum=0,
    )
    warning = age_warning(recording, now, max_age)
    if warning:
        remarks.warnings.append(warning)
    remarks.notes.append(f"Replaying {settings.cassettes}, {recording.describe()}.")
    known = {mode.value for mode in AuthMode}
    recorded = tuple(AuthMode(m) for m in recording.auth_modes if m in known)
    modes = settings.auth_modes if settings.auth_explicit else recorded
    unrecorded = [m.value for m in modes if m not in recorded]
    if unrecorded:
        remarks.warnings.append(
            f"--auth {' '.join(unrecorded)} was not used when recording: those checks will fail "
            "as not recorded."
        )
    keyless = not KEY_MODES & set(modes)
    given_endpoint = settings.base_url is not None
    if given_endpoint and recording.base_url:
        # The answers are the recording's: another endpoint here would only mislabel them.
        remarks.warnings.append(
            f"{settings.endpoint_source} is ignored in a replay: the answers are those recorded "
            f"from {recording.base_url}, and the report names that endpoint."
        )
        given_endpoint = False
    suite = settings.suite
    if raw.suite is None and recording.suite:
        suite = parse_choice(recording.suite, Suite, "the recording's suite")
    return replace(
        settings,
        recording=recording,
        auth_modes=modes,
        entra_source=EntraSource.REPLAY_MINT if AuthMode.ENTRA in modes else None,
        # A recording without key auth replays without a key, so the same checks skip.
        api_key=None if keyless else settings.api_key,
        api_key_source=None if keyless else settings.api_key_source,
        base_url=settings.base_url if given_endpoint else recording.base_url,
        resource=settings.resource if given_endpoint else recording.resource,
        endpoint_source=settings.endpoint_source if given_endpoint else "cassettes",
        deployments=recording.deployments
        if not raw.deployments and recording.deployments
        else settings.deployments,
        entra_scope=recording.entra_scope
        if raw.entra_scope is None and recording.entra_scope
        else settings.entra_scope,
        suite=suite,
        select=recording.select if raw.select is None else settings.select,
        probe_rate_limit=recording.probe_rate_limit
        if raw.probe_rate_limit is None
        else settings.probe_rate_limit,
    )


def option_differences(settings: Settings) -> list[str]:
    """Where this replay asks for other checks than its recording ran (suite, selection, the
    rate-limit probe, deployments, auth modes): the usual reason a request is not recorded."""
    recording = settings.recording
    if recording is None:
        return []
    shown = {
        "--suite": (settings.suite.value, recording.suite or Suite.STANDARD.value),
        "--select": (" ".join(settings.select), " ".join(recording.select)),
        "--probe-rate-limit": (
            "on" if settings.probe_rate_limit else "off",
            "on" if recording.probe_rate_limit else "off",
        ),
        "--deployment": (" ".join(settings.deployments), " ".join(recording.deployments)),
        "--auth": (
            " ".join(m.value for m in settings.auth_modes),
            " ".join(recording.auth_modes),
        ),
    }
    return [
        f"{flag} {now or '(none)'} (recorded: {then or '(none)'})"
        for flag, (now, then) in shown.items()
        if now != then and (flag != "--deployment" or recording.deployments)
    ]

"""The plugin's options (one group, mirroring the command line) and the run's settings: resolved
once per session from those options, or handed over already resolved by the command line.

Precedence where values merge: ``--foundry-*`` option > environment variable > default (the
configuration layer's rule). ``foundry-conformance run`` resolves its own flags and hands the
``Settings`` object to the session (``GivenSettings``); it never spells them out as options again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from ..config import RawOptions, Settings, resolve_settings
from ..core.errors import ConfigError
from ..core.flags import for_pytest
from .keys import HINTS_KEY, SETTINGS_KEY

OPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("--foundry-resource", {"help": "Foundry resource name (or ANTHROPIC_FOUNDRY_RESOURCE)"}),
    (
        "--foundry-base-url",
        {"help": "base URL ending in /anthropic/ (or ANTHROPIC_FOUNDRY_BASE_URL)"},
    ),
    ("--foundry-deployment", {"action": "append", "help": "deployment name (repeatable)"}),
    ("--foundry-auth", {"action": "append", "help": "api-key, x-api-key or entra (repeatable)"}),
    ("--foundry-entra-scope", {"help": "Entra ID scope (default cognitiveservices)"}),
    ("--foundry-mode", {"help": "live, record or replay"}),
    ("--foundry-cassettes", {"help": "cassette directory for record/replay"}),
    (
        "--foundry-max-cassette-age",
        {"help": "replay warns about cassettes older than DAYS (default 30)"},
    ),
    (
        "--foundry-emulator",
        {
            "nargs": "?",
            "const": "",
            "help": "run against the embedded emulator "
            "with PROFILE[,PROFILE] (default profile: default)",
        },
    ),
    ("--foundry-suite", {"help": "smoke, standard (default) or full"}),
    ("--foundry-select", {"action": "append", "help": "check ID, ID prefix or area (repeatable)"}),
    ("--foundry-report-dir", {"help": "where the artifacts go (default reports/)"}),
    ("--foundry-max-requests", {"help": "stop the run before it sends more requests than this"}),
    ("--foundry-max-tokens", {"help": "stop the run once it has used this many tokens"}),
    (
        "--foundry-probe-rate-limit",
        {"action": "store_true", "default": None, "help": "enable the opt-in RL-429 probe"},
    ),
    ("--foundry-timeout", {"help": "per-request timeout in seconds"}),
    (
        "--foundry-jobs",
        {"help": "requests in flight at once, the checks on threads: N or auto (4; replay: 1)"},
    ),
    ("--foundry-max-latency-ms", {"help": "PERF-LATENCY fails above this total latency"}),
    ("--foundry-max-ttft-ms", {"help": "PERF-LATENCY fails above this time to first token"}),
    (
        "--foundry-platform-profile",
        {"help": "a platform profile (TOML) that extends the built-in one: a new model, say"},
    ),
    (
        "--foundry-redact-resource",
        {"action": "store_true", "default": None, "help": "scrub the resource host from cassettes"},
    ),
    (
        "--foundry-overwrite",
        {
            "action": "store_true",
            "default": None,
            "help": "record into a directory that holds other files (they are left as they are)",
        },
    ),
)

OPTION_NAMES = tuple(name for name, _ in OPTIONS)


def raw_options(config: pytest.Config) -> RawOptions:
    """The ``--foundry-*`` options as given (None where not given)."""

    def get(name: str) -> Any:
        return config.getoption(name, default=None)

    return RawOptions(
        resource=get("foundry_resource"),
        base_url=get("foundry_base_url"),
        deployments=get("foundry_deployment"),
        auth=get("foundry_auth"),
        entra_scope=get("foundry_entra_scope"),
        mode=get("foundry_mode"),
        cassettes=get("foundry_cassettes"),
        emulator=get("foundry_emulator"),
        suite=get("foundry_suite"),
        select=get("foundry_select"),
        report_dir=get("foundry_report_dir"),
        max_requests=get("foundry_max_requests"),
        max_tokens_budget=get("foundry_max_tokens"),
        probe_rate_limit=get("foundry_probe_rate_limit"),
        timeout=get("foundry_timeout"),
        redact_resource=get("foundry_redact_resource"),
        max_cassette_age=get("foundry_max_cassette_age"),
        max_latency_ms=get("foundry_max_latency_ms"),
        max_ttft_ms=get("foundry_max_ttft_ms"),
        jobs=get("foundry_jobs"),
        platform_profile=get("foundry_platform_profile"),
        overwrite=get("foundry_overwrite"),
    )


class GivenSettings:
    """A plugin object that hands a session the settings its caller resolved (the CLI does)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings


def settings_of(config: pytest.Config) -> Settings:
    """The session's settings: the caller's, or resolved from the options once (``UsageError``
    with the fix when they are wrong)."""
    settings = config.stash.get(SETTINGS_KEY, None)
    if settings is not None:
        return settings
    plugins = config.pluginmanager.get_plugins()
    given = next((plugin for plugin in plugins if isinstance(plugin, GivenSettings)), None)
    if given is not None:
        named = [name for name, _ in OPTIONS if _given(config, name)]
        if named:
            raise pytest.UsageError(
                f"{named[0]} was passed to pytest, but foundry-conformance run resolves its own "
                f"flags: give it as {named[0].replace('--foundry-', '--')} instead."
            )
        settings = given.settings
    else:
        # Plain pytest: the hints name the --foundry-* options that work here.
        hints: Callable[[str], str] = partial(for_pytest, plugin_options=OPTION_NAMES)
        config.stash[HINTS_KEY] = hints
        try:
            settings = resolve_settings(raw_options(config), os.environ)
        except ConfigError as exc:
            raise pytest.UsageError(hints(str(exc))) from None
    config.stash[SETTINGS_KEY] = settings
    return settings


def _given(config: pytest.Config, option: str) -> bool:
    return config.getoption(option.removeprefix("--").replace("-", "_"), default=None) is not None

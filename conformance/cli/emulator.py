"""``foundry-conformance emulator``: serve the emulator in the foreground until Ctrl+C.

It serves any deployment names (``--deployment``, default: the platform profile's emulator
names), each behaving as its model in the platform profile (``--platform-profile FILE`` extends
the built-in one, e.g. with a model that shipped after this release).
"""

from __future__ import annotations

import argparse
import errno
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from ..core.constants import (
    EMULATOR_UNPRIVILEGED_PRINCIPAL,
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_RESOURCE,
)
from ..core.errors import InputError
from ..core.platform import PlatformProfile
from ..core.platform_load import load_profile
from ..emulator.profiles import EmulatorConfig, parse_profiles
from ..emulator.server import EmulatorServer

PROG = "foundry-conformance emulator"


def emulator_command(args: argparse.Namespace, env: Mapping[str, str], out: TextIO) -> int:
    """``emulator``: serve until Ctrl+C."""
    return run_standalone(
        args.host,
        args.port,
        args.profile,
        env,
        out,
        deployments=args.deployment,
        platform_profile=args.platform_profile,
    )


def _deployment_notes(config: EmulatorConfig, today: datetime) -> str:
    """The served names, each with what sets it apart (unknown, retired, Entra-only…)."""
    shown = []
    for name in config.deployments:
        model = config.model(name)
        notes = []
        if model is None:
            notes.append("not in the platform profile: an unrestricted current model")
        else:
            if model.id != name:
                notes.append(model.id)
            stage = model.lifecycle(today.date())
            if stage == "retired":
                notes.append("retired: answers 404 DeploymentNotFound")
            elif stage == "deprecated":
                notes.append(f"deprecated: end of life {model.end_of_life}")
            if model.entra_only:
                notes.append("Entra ID only")
        shown.append(f"{name} ({'; '.join(notes)})" if notes else name)
    return ", ".join(shown)


def banner(server: EmulatorServer, key_from_env: bool, today: datetime | None = None) -> str:
    """The start-up text: where the emulator is, what it serves, which key, how to point an SDK
    at it."""
    config: EmulatorConfig = server.config
    profile = config.profile
    if key_from_env:
        key_line = f"the key from {ENV_API_KEY} (not shown)"
    else:
        key_line = (
            f"{config.api_key} (the well-known development key; set {ENV_API_KEY} to choose one)"
        )
    deployments = _deployment_notes(config, today or datetime.now(UTC))
    lines = [
        f"Foundry emulator listening on {server.base_url}",
        "  an emulator run proves nothing about Azure",
        f"  platform:    profile {profile.version} of {profile.date} ({profile.origin})",
        f"  hosting:     {config.hosting.option.name}",
        f"  profiles:    {config.profile_label}",
        f"  deployments: {deployments}",
        f"  api key:     {key_line}",
        "  entra:       unsigned test JWTs (conformance.core.jwt_claims.mint_test_token);"
        " aud and exp are honoured, no roles claim is needed; every principal holds the"
        f" data-plane role but {EMULATOR_UNPRIVILEGED_PRINCIPAL}",
        "",
        "Point the SDK at it:",
        f"  unset {ENV_RESOURCE}",
        f"  export {ENV_BASE_URL}={server.base_url}",
    ]
    if not key_from_env:
        lines.append(f"  export {ENV_API_KEY}={config.api_key}")
    lines += ["", "Press Ctrl+C to stop."]
    return "\n".join(lines)


def _bind_error(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return f"{PROG}: port {port} on {host} is already in use; pick another with --port"
    return f"{PROG}: cannot listen on {host}:{port}: {error.strerror or error}"


def run_standalone(
    host: str,
    port: int,
    profiles: str,
    env: Mapping[str, str],
    out: TextIO,
    *,
    stop: threading.Event | None = None,
    deployments: Sequence[str] | None = None,
    platform_profile: Path | None = None,
) -> int:
    """Serve until Ctrl+C (or ``stop``); 0 when stopped, 2 for a bad profile, deployment name,
    platform profile file or a busy port."""
    user_key = env.get(ENV_API_KEY) or None
    try:
        platform: PlatformProfile = load_profile(platform_profile)
        config = parse_profiles(
            profiles, api_key=user_key, deployments=deployments, profile=platform
        )
    except (ValueError, InputError) as error:
        print(f"{PROG}: {error}", file=out)
        return 2
    server = EmulatorServer(config, host, port)
    try:
        server.start()
    except OSError as error:
        print(_bind_error(host, port, error), file=out)
        return 2
    except OverflowError:  # socket's own complaint about a port outside 0-65535
        print(f"{PROG}: port {port} is not between 0 and 65535", file=out)
        return 2
    try:
        print(banner(server, key_from_env=user_key is not None), file=out, flush=True)
        waiter = stop or threading.Event()
        while not waiter.wait(0.5):
            pass  # a bounded wait keeps Ctrl+C deliverable on every platform
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print("Foundry emulator stopped.", file=out)
    return 0

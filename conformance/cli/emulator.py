"""``foundry-conformance emulator``: serve the emulator in the foreground until Ctrl+C."""

from __future__ import annotations

import errno
import threading
from collections.abc import Mapping
from typing import TextIO

from ..core.constants import ENV_API_KEY, ENV_BASE_URL, ENV_RESOURCE
from ..emulator.profiles import EmulatorConfig, parse_profiles
from ..emulator.server import EmulatorServer

PROG = "foundry-conformance emulator"


def banner(server: EmulatorServer, key_from_env: bool) -> str:
    """The start-up text: where the emulator is, which key, how to point an SDK at it."""
    config: EmulatorConfig = server.config
    if key_from_env:
        key_line = f"the key from {ENV_API_KEY} (not shown)"
    else:
        key_line = (
            f"{config.api_key} (the well-known development key; set {ENV_API_KEY} to choose one)"
        )
    lines = [
        f"Foundry emulator listening on {server.base_url}",
        "  an emulator run proves nothing about Azure",
        f"  profiles:    {config.profile_label}",
        f"  deployments: {', '.join(config.deployments)}",
        f"  api key:     {key_line}",
        "  entra:       unsigned test JWTs (conformance.jwt_claims.mint_test_token);"
        " aud, exp and roles are honoured",
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
) -> int:
    """Serve until Ctrl+C (or ``stop``); 0 when stopped, 2 for a bad profile or a busy port."""
    user_key = env.get(ENV_API_KEY) or None
    try:
        config = parse_profiles(profiles, api_key=user_key)
    except ValueError as error:
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

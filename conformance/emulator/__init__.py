"""The embedded Foundry emulator: a local stand-in for ``{resource}.services.ai.azure.com``.

``EmulatorServer`` serves it on 127.0.0.1; ``parse_profiles`` turns profile names into an
``EmulatorConfig`` that switches on realistic faults. The decision logic (``logic.Emulator``) is
pure and can be driven without sockets; importing it does not import the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .profiles import PROFILE_NAMES, EmulatorConfig, Faults, parse_profiles

if TYPE_CHECKING:
    from .server import EmulatorServer

__all__ = ["PROFILE_NAMES", "EmulatorConfig", "EmulatorServer", "Faults", "parse_profiles"]


def __getattr__(name: str) -> Any:
    # The server pulls in http.server and socket; the pure modules should not pay for that.
    if name == "EmulatorServer":
        from .server import EmulatorServer

        return EmulatorServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

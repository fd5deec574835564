"""The embedded Foundry emulator: a local stand-in for ``{resource}.services.ai.azure.com``.

The decision logic (``logic.Emulator``) is pure and can be driven without sockets;
``server.EmulatorServer`` serves it on 127.0.0.1, and importing this package does not import the
server. ``parse_profiles`` turns the fault profiles of the catalog (``core.faults``) into an
``EmulatorConfig``.
"""

from __future__ import annotations

from ..core.faults import NAMES as PROFILE_NAMES
from .profiles import EmulatorConfig, Faults, parse_profiles

__all__ = ["PROFILE_NAMES", "EmulatorConfig", "Faults", "parse_profiles"]

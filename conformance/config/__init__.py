"""The configuration layer: flags and environment in, frozen ``Settings`` (or a ``ConfigError``
with the fix) out, before anything is sent. Pure.

``resolve_settings`` holds the precedence (flags > environment > defaults); each rule about one
value lives in its own module (``endpoint``, ``auth``, ``values``, ``recording``, ``replay``).
"""

from __future__ import annotations

from .resolve import resolve_settings
from .settings import RawOptions, Settings
from .types import AuthMode, EntraSource, Mode, Suite

__all__ = ["AuthMode", "EntraSource", "Mode", "RawOptions", "Settings", "Suite", "resolve_settings"]

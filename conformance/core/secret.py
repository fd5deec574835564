"""A credential held so that only its user can show it.

A ``Secret`` reads ``[REDACTED]`` in every way Python shows an object without being asked for
its value: ``repr`` and ``str`` (so a traceback's locals under pytest's ``--showlocals``, a log
record's arguments and an f-string show the marker), and it refuses to be pickled. The value
comes out only through ``reveal()``, at the one place it is put into a request; so no frame
between the environment and that header keeps the value in a local variable of its own.
"""

from __future__ import annotations

import hmac
from typing import NoReturn

from .redaction import REDACTED

__all__ = ["Secret"]


class Secret:
    """A credential whose ``repr`` and ``str`` are ``[REDACTED]``; ``reveal()`` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value itself, for the header that carries it (and nothing else)."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({REDACTED})"

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, spec: str) -> str:
        return format(REDACTED, spec)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret is not pickled: it would leave the process in the clear")

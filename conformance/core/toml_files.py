"""A TOML file given to the harness (a fleet file, a platform profile), read within a bound: a
huge or endless one (a FIFO) is never read whole, and whatever is wrong with it is one phrase
that follows the file's name in the caller's own error."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .untrusted import read_at_most


class TOMLFileError(ValueError):
    """What is wrong with a TOML file, as a phrase that follows its name ("is not UTF-8 text")."""


def read_toml(path: Path, limit: int, kind: str) -> dict[str, Any]:
    """The document of the TOML file at ``path`` of at most ``limit`` bytes (``kind`` names what
    it should be, for the message of a larger one); ``TOMLFileError`` if it cannot be read, is
    larger, is not UTF-8 or not TOML."""
    try:
        raw = read_at_most(path, limit)
    except OSError as exc:
        raise TOMLFileError(f"cannot be read ({exc.strerror or exc})") from None
    if len(raw) > limit:
        raise TOMLFileError(f"is more than {limit:,} bytes: it is not {kind}")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise TOMLFileError("is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise TOMLFileError(f"is not valid TOML: {exc}") from None

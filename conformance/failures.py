"""How a check says what went wrong: failures are data, with the diagnosis codes they point to."""

from __future__ import annotations

from collections.abc import Iterable


class CheckFailure(AssertionError):
    """The endpoint did not behave as documented; ``codes`` name the likely causes."""

    def __init__(self, message: str, codes: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.codes = tuple(codes)


class CannotJudge(Exception):
    """The check could not reach a verdict (the answer it needed never came); never a pass."""

    def __init__(self, message: str, codes: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.codes = tuple(codes)


def fail(message: str, *codes: str) -> CheckFailure:
    """A ``CheckFailure`` to raise: ``raise fail("…", "malformed-response")``."""
    return CheckFailure(message, codes)

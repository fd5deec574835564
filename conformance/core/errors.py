"""Every exception the harness raises on purpose, in one tree.

::

    HarnessError                  the root: caught by the CLI and the plugin, never a traceback
    ├── ConfigError               the configuration is wrong; nothing was sent (exit 2)
    ├── UnknownSelection          a --select value names no check of the catalog
    ├── InputError                a file given to the harness is unusable (it names the file)
    │   ├── SummaryError          … a summary.json for `report` / `ticket`
    │   └── CassetteError         … a cassette of a recorded set
    ├── TokenFormatError          a string is not a readable JWT
    ├── CredentialError           an Entra ID token could not be obtained
    ├── Unavailable               what a check needs is not configured: it is skipped, with why
    ├── CheckFailure              the endpoint did not behave as documented   → failed
    ├── CannotJudge               the answer a check needed never came        → error
    ├── BudgetExceeded            --max-requests / --max-tokens is spent      → not run / error
    │   ├── RequestBudgetExceeded
    │   └── TokenBudgetExceeded
    ├── CassetteMiss              a replayed request that no cassette answers; nothing was sent
    └── InvalidRequest            the emulator's: a body its Anthropic layer answers with 400

    RunStopped                    a BaseException, like KeyboardInterrupt: the run is stopping

How a check case that raised one of these ends is declared on the class (``outcome``), so the
plugin reads it instead of testing classes one by one. Failures are data: ``codes`` name the
diagnoses a failure points to. Pure: no imports beyond the standard library.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

CONFIG_CONFLICT = "config-conflict"
CONFIG_MISSING = "config-missing"
CONFIG_INVALID = "config-invalid"


@dataclass(frozen=True)
class Outcome:
    """How a check case that raised an exception ends: its status, and how its reason begins."""

    status: str
    prefix: str = ""
    # Set when the case was cut short rather than judged: "budget" (--max-requests / --max-tokens
    # spent), "unrecorded" (a replay whose recording has no answer). Such a case does not count
    # against the endpoint; it makes the run incomplete (SPEC: verdict ``incomplete``, exit 5).
    cut_short: str | None = None


class HarnessError(Exception):
    """The root of the harness's own exceptions."""

    outcome: ClassVar[Outcome | None] = None  # None: not a verdict on the check (see the plugin)
    codes: tuple[str, ...] = ()


class ConfigError(HarnessError):
    """A configuration problem found before anything was sent (the run exits with status 2)."""

    def __init__(self, problem: str, fix: str, *, source: str, code: str = CONFIG_INVALID) -> None:
        super().__init__(f"{problem} {fix}")
        self.problem = problem
        self.fix = fix
        self.source = source
        self.code = code

    def __str__(self) -> str:
        return f"{self.problem} {self.fix}"


class UnknownSelection(HarnessError, ValueError):
    """A ``--select`` value that names no check ID and no area."""


class InputError(HarnessError, ValueError):
    """A file given to the harness cannot be used; the message names the file and the fix."""


class SummaryError(InputError):
    """A file given as a summary is not one (or not one this version can read)."""


class CassetteError(InputError):
    """A cassette cannot be read or written; the message names the file and the fix."""


class TokenFormatError(HarnessError, ValueError):
    """The string is not a readable JWT (wrong number of segments, bad base64, not JSON)."""


class CredentialError(HarnessError):
    """A token could not be obtained; the message names the cause and never holds a secret."""


class Unavailable(HarnessError):
    """What a check needs is not configured; the message is the skip reason shown to the user.
    ``kind`` is that reason without what is particular to the case (the model, the value), shared
    by every case skipped for the same reason: the terminal folds skips by it."""

    def __init__(self, reason: str, *, kind: str | None = None) -> None:
        super().__init__(reason)
        self.kind = kind or reason


class CheckFailure(HarnessError, AssertionError):
    """The endpoint did not behave as documented; ``codes`` name the likely causes."""

    outcome = Outcome("failed")

    def __init__(self, message: str, codes: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.codes = tuple(codes)


class CannotJudge(HarnessError):
    """The check could not reach a verdict (the answer it needed never came); never a pass."""

    outcome = Outcome("error", "could not judge: ")

    def __init__(self, message: str, codes: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.codes = tuple(codes)


class BudgetExceeded(HarnessError):
    """The run's budget (``--max-requests`` or ``--max-tokens``) is spent: nothing more is sent."""

    outcome = Outcome("error", "not finished: ", cut_short="budget")


class RequestBudgetExceeded(BudgetExceeded):
    """The run-wide request budget (``--max-requests``) would be exceeded by one more request."""

    def __init__(self, budget: int) -> None:
        super().__init__(
            f"the run's request budget of {budget} requests is spent; "
            "raise --max-requests to let the remaining checks run"
        )
        self.budget = budget


class TokenBudgetExceeded(BudgetExceeded):
    """The run has used its token budget (``--max-tokens``): no further request is sent."""

    def __init__(self, used: int, budget: int) -> None:
        super().__init__(
            f"the run has used {used} tokens, its budget is {budget}; "
            "raise --max-tokens to let the remaining checks run"
        )
        self.used = used
        self.budget = budget


class CassetteMiss(HarnessError):
    """A replayed request that no cassette answers; nothing was sent. ``why`` says in one clause
    what the recording lacks (the nearest recorded request and what differs, or why the case has
    no cassette), for the lines that explain an incomplete replay."""

    outcome = Outcome("error", "not in the recording: ", cut_short="unrecorded")

    def __init__(self, message: str, why: str = "") -> None:
        super().__init__(message)
        self.why = why or message


class InvalidRequest(HarnessError, ValueError):
    """The emulator's: the body breaks the Messages API contract; the message is the API's text."""


class RunStopped(BaseException):  # like KeyboardInterrupt: not an error of the check
    """The run is stopping (Ctrl-C, ``-x``): no new request is sent. A ``BaseException``, so that
    it passes through a check's own ``except Exception``."""

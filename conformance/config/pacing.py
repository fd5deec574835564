"""How a run paces its own requests per quota pool (``--max-rpm``, ``--max-itpm``, ``--max-otpm``,
``--subscription``), and what it compares itself with (``--baseline``, ``--fail-on``). Pure.

The default ceilings are the smallest documented paid quota of a model pool (the platform
profile's pay-as-you-go quota: 40 requests, 40,000 uncached input tokens and 8,000 output tokens
per minute), so that the harness alone never spends a pay-as-you-go minute of a pool that
production traffic shares. They apply to live and record runs. A run against the embedded
emulator is not paced unless a ceiling is given (its quota is nobody's production), nor is a
replay (it sends nothing).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..core.constants import ENV_QUOTA_BOOK
from ..core.errors import ConfigError
from ..core.platform import PlatformProfile
from ..core.quota import Ceilings
from .types import Mode
from .values import parse_int, show, show_path

DEFAULT_SUBSCRIPTION = "default"
LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
FAIL_ON = ("verdict", "regressions")


@dataclass(frozen=True)
class Pacing:
    """The run's ceilings per pool (None: not paced), the subscription label its pools are
    named by, and the address of a fleet's shared quota book (None: the run keeps its own)."""

    ceilings: Ceilings | None
    subscription: str = DEFAULT_SUBSCRIPTION
    book: str | None = None
    # Where the ceilings come from, in words, for the report ("the default: …").
    source: str = ""


def resolve_pacing(
    *,
    max_rpm: int | str | None,
    max_itpm: int | str | None,
    max_otpm: int | str | None,
    subscription: str | None,
    kind: Mode,
    profile: PlatformProfile,
    env: Mapping[str, str],
) -> Pacing:
    """The run's pacing, from the flags, the kind of run and the profile's quota."""
    label = validate_label(subscription, "--subscription") or DEFAULT_SUBSCRIPTION
    payg = profile.quota.payg
    given = {
        "rpm": (max_rpm, "--max-rpm", payg.rpm),
        "itpm": (max_itpm, "--max-itpm", payg.itpm),
        "otpm": (max_otpm, "--max-otpm", payg.otpm),
    }
    any_given = any(value not in (None, "") for value, _, _ in given.values())
    values = {
        name: parse_int(value if value != "" else None, flag, default=default)
        for name, (value, flag, default) in given.items()
    }
    ceilings = Ceilings(**values)
    book = env.get(ENV_QUOTA_BOOK, "").strip() or None
    if kind is Mode.REPLAY:
        return Pacing(None, label, None, "a replay sends nothing")
    if kind is Mode.EMULATOR and not any_given:
        return Pacing(None, label, None, "the embedded emulator is not paced unless asked")
    source = "--max-rpm/--max-itpm/--max-otpm" if any_given else "the pay-as-you-go default"
    return Pacing(ceilings, label, book, source)


def validate_label(value: str | None, source: str) -> str | None:
    """A subscription or target label: letters, digits, '.', '_' and '-' (None: not given)."""
    if value is None or value == "":
        return None
    if not LABEL.fullmatch(value):
        raise ConfigError(
            f"{source} {show(value)} is not a label (letters, digits, '.', '_' and '-', at most "
            "64 characters, starting with a letter or digit).",
            f"Give a label like {source} prod-subscription.",
            source=source,
        )
    return value


def resolve_baseline(baseline: str | Path | None, fail_on: str | None) -> tuple[Path | None, str]:
    """``--baseline PATH`` (it must exist) and ``--fail-on verdict|regressions``."""
    choice = (fail_on or "verdict").strip()
    if choice not in FAIL_ON:
        raise ConfigError(
            f"--fail-on {show(choice)} is not one of {', '.join(FAIL_ON)}.",
            "Give --fail-on regressions (with --baseline) or leave it out.",
            source="--fail-on",
        )
    if baseline in (None, ""):
        if choice == "regressions":
            raise ConfigError(
                "--fail-on regressions needs a baseline to tell what got worse.",
                "Add --baseline PATH: the summary.json, fleet.json or report directory of an "
                "earlier run.",
                source="--fail-on",
            )
        return None, choice
    path = Path(str(baseline))
    if not path.exists():
        raise ConfigError(
            f"--baseline {show_path(path)} does not exist.",
            "Give the summary.json, fleet.json or report directory of an earlier run.",
            source="--baseline",
        )
    return path, choice

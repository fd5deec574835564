"""Check IDs where users type them, and no verdict of nothing.

A check answers to its ID and its area as a pytest keyword (``-k MSG-BASIC``, ``-k AUTH-``,
``-k messages``). A ``-k`` or ``-m`` that keeps none of the checks collected, or a selection that
keeps only opt-in probes outside the suite, is a usage error that says what to type instead:
a run that judges nothing must not end in a verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from ..core.catalog import BY_ID
from .keys import CHECKS_COLLECTED_KEY, check_id_of


def answer_to_the_check_id(item: pytest.Item) -> None:
    """Let ``item`` answer to its check's ID and area under ``-k``, and count it."""
    check_id = check_id_of(item)
    if check_id is not None and check_id in BY_ID:
        item.extra_keyword_matches.update({check_id, BY_ID[check_id].area})
        config = item.config
        config.stash[CHECKS_COLLECTED_KEY] = config.stash.get(CHECKS_COLLECTED_KEY, 0) + 1


def refuse_if_none_is_left(config: pytest.Config, hints: Callable[[str], str]) -> None:
    """A ``UsageError`` if checks were collected and ``-k`` / ``-m`` deselected every one."""
    collected = config.stash.get(CHECKS_COLLECTED_KEY, 0)
    if collected:
        raise pytest.UsageError(hints(nothing_selected(config, collected)))


def refuse_if_only_opt_ins_are_left(
    kept: Sequence[pytest.Item], outside_suite: set[str], suite: str, hints: Callable[[str], str]
) -> None:
    """A ``UsageError`` if no check is left, or only opt-in probes the suite only lists."""
    if not kept:  # -k or -m kept checks, and the suite or --select none of them
        raise pytest.UsageError(hints(NONE_IN_BOTH))
    if all(check_id_of(item) in outside_suite for item in kept):
        raise pytest.UsageError(hints(outside_the_suite(suite)))


NONE_IN_BOTH = (
    "no check is selected: none of the checks -k or -m kept is one that the suite or --select "
    "chose, so there is nothing to judge. Choose checks with one of them (-k MSG-BASIC, or "
    "--select MSG-BASIC), or make them name the same checks."
)


def nothing_selected(config: pytest.Config, collected: int) -> str:
    """Why a run whose ``-k`` / ``-m`` kept none of the collected checks is refused."""
    given = [
        f"-k {config.option.keyword!r}" if config.option.keyword else "",
        f"-m {config.option.markexpr!r}" if config.option.markexpr else "",
    ]
    chosen = " and ".join(g for g in given if g) or "the selection"
    return (
        f"no check is selected: {chosen} matched none of the {collected} check cases collected, "
        "so there is nothing to judge. Each check answers to its ID and its area as a keyword "
        "(-k MSG-BASIC, -k AUTH-, -k messages); the IDs are in the README's table of checks. "
        "Or choose the checks with --select ID_OR_AREA."
    )


def outside_the_suite(suite: str) -> str:
    """Why a run whose selection keeps no check of its suite is refused."""
    return (
        f"no check is selected: the checks chosen are not part of the {suite} suite, so there "
        "is nothing to judge. Add --suite full to run them, or choose checks with --select "
        "ID_OR_AREA, which runs what it names."
    )

"""What the plugin's parts share: the marker, the stash keys, and how a test names its check.

The hooks, the recorder, the pool and the JUnit and pytest-html extras all import this module,
which imports none of them; none of them imports the hooks module (``plugin.hooks``), which
imports them all. The recorder's and the pool's own stash keys live with them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NoReturn

import pytest

from ..config import Settings
from ..core.errors import Unavailable
from ..core.interactions import Interaction
from ..report.transcript import case_label

MARKER = "foundry_check"
SETTINGS_KEY = pytest.StashKey[Settings]()
# The report attribute that carries a case's label (``AUTH-BAD-KEY[api-key]``) to the extras.
LABEL_ATTRIBUTE = "foundry_case"
# The report attribute that carries the case's status as the summary counts it
# (passed / failed / error / skipped): a call that could not judge is an error, not a failure.
STATUS_ATTRIBUTE = "foundry_status"


@dataclass(frozen=True)
class CaseEvidence:
    """The exchanges of one check case, as the recorder saw them when the case reported.

    ``judged`` is True for a run-wide check, which sends nothing: its exchanges are those of
    other checks that it judged.
    """

    interactions: tuple[Interaction, ...] = field(default=())
    judged: bool = False


CASE_EVIDENCE_KEY = pytest.StashKey[CaseEvidence]()
# Why a skipped case was skipped, without what is particular to it (``Unavailable.kind``).
SKIP_KIND_KEY = pytest.StashKey[str]()
# Under plain pytest, the respelling of the command line's flags as ``--foundry-*`` options.
HINTS_KEY = pytest.StashKey[Callable[[str], str]]()
# How many check cases were collected (before -k and -m deselected any).
CHECKS_COLLECTED_KEY = pytest.StashKey[int]()


def hints_of(config: pytest.Config) -> Callable[[str], str]:
    """How the session spells the flags a hint names (as they are, for the command line)."""
    return config.stash.get(HINTS_KEY, str)


def skip_as(item: pytest.Item, unavailable: Unavailable) -> NoReturn:
    """Skip ``item`` with ``unavailable``'s reason, keeping its kind for the terminal's fold."""
    hints = hints_of(item.config)
    item.stash[SKIP_KIND_KEY] = hints(unavailable.kind)
    pytest.skip(hints(str(unavailable)))


def check_id_of(item: pytest.Item) -> str | None:
    """The check ID a test verifies, from its marker."""
    marker = item.get_closest_marker(MARKER)
    return str(marker.args[0]) if marker and marker.args else None


def label_of(item: pytest.Item) -> str | None:
    """``AUTH-BAD-KEY[api-key]`` for a check case; None for a test that is not a check."""
    check_id = check_id_of(item)
    if check_id is None:
        return None
    callspec = getattr(item, "callspec", None)
    return case_label(check_id, callspec.id if callspec is not None else None)

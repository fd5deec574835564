"""The "did you mean …?" of every refusal: the closest real name to a mistyped one (pure).

The command line, the configuration and the fault-profile catalog all refuse a name they do not
know; each then offers the nearest real one, found here by ``difflib`` over the names that exist
(option strings, subcommands, choices, check IDs, profiles), never a hand-kept list of typos.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# difflib's default: close enough that the suggestion is the likely intent, not a random neighbour.
CUTOFF = 0.6


def closest(word: str, names: Iterable[str], *, cutoff: float = CUTOFF) -> str | None:
    """The name among ``names`` nearest to ``word`` (case aside), or None when none is close."""
    by_fold = {name.casefold(): name for name in names}
    found = difflib.get_close_matches(word.casefold(), list(by_fold), n=1, cutoff=cutoff)
    return by_fold[found[0]] if found else None


def did_you_mean(word: str, names: Iterable[str], *, cutoff: float = CUTOFF) -> str:
    """``"did you mean NAME?"`` for the name nearest to ``word``; "" when none is close."""
    name = closest(word, names, cutoff=cutoff)
    return f"did you mean {name}?" if name is not None else ""

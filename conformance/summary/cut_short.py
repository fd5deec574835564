"""Why a run is incomplete: the causes that cut it short, the checks each left unjudged, and for a
replay what the recording lacked (pure).

Three causes, as SPEC names them: the run's budget was spent (``--max-requests`` /
``--max-tokens``), the run was interrupted (Ctrl-C, SIGTERM), a replay's recording had no answer
for a request the run made. A case cut short is not judged, so it never counts against the
endpoint; a run with one is ``incomplete`` unless something that did finish failed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..core.interactions import Interaction
from .model import CheckResult, CutShort

BUDGET = "budget"
INTERRUPTED = "interrupted"
UNRECORDED = "unrecorded"
CAUSES = (INTERRUPTED, BUDGET, UNRECORDED)

# Lines of explanation kept per cause (a replay of another suite may miss dozens of requests).
MAX_DETAILS = 20

_DEFAULT = {
    INTERRUPTED: "the run was interrupted before every check had run",
    BUDGET: "the run's budget was spent before every check had run",
}
_REMEDY = {
    INTERRUPTED: "Run it again and let it finish to judge the rest.",
    BUDGET: "Raise the budget that was spent, or run fewer checks within it (--suite smoke, "
    "--select ID).",
    UNRECORDED: "Replay with the options the recording used (its metadata.json lists them), or "
    "re-record with `foundry-conformance run --mode record --cassettes DIR` and the options of "
    "this run.",
}


def cut_short_causes(
    checks: Sequence[CheckResult],
    interactions: Sequence[Interaction],
    stopped: Mapping[str, str],
) -> list[CutShort]:
    """One entry per cause that cut the run short, in ``CAUSES`` order (none: it finished).

    ``stopped`` holds what the run itself said when it stopped, by cause (the budget's message,
    how it was interrupted; for a replay, how its options differ from the recording's); the
    unrecorded requests are read from the interactions."""
    entries = []
    for cause in CAUSES:
        cases = [check.label for check in checks if check.cut_short == cause]
        if cause == UNRECORDED:
            entry = _unrecorded(cases, interactions, stopped.get(UNRECORDED))
        elif cause in stopped or cases:
            entry = CutShort(cause, _sentence(stopped.get(cause) or _DEFAULT[cause]), cases)
        else:
            entry = None
        if entry is not None:
            entry.remedy = _REMEDY[cause]
            entries.append(entry)
    return entries


def _unrecorded(
    cases: list[str], interactions: Sequence[Interaction], lead: str | None
) -> CutShort | None:
    misses = [ix for ix in interactions if ix.unrecorded]
    if not misses:
        return None
    requests = (
        "1 request of this replay is"
        if len(misses) == 1
        else f"{len(misses)} requests of this replay are"
    )
    judged = "1 check" if len(cases) == 1 else f"{len(cases)} checks"
    summary = (
        f"{requests} not in the recording (nothing was sent), so {judged} could not be judged."
    )
    details = [_sentence(lead)] if lead else []
    details += [f"{ix.check_id or 'the run'}: {ix.unrecorded}" for ix in misses[:MAX_DETAILS]]
    if len(misses) > MAX_DETAILS:
        details.append(
            f"… and {len(misses) - MAX_DETAILS} more (each check's reason names its own)"
        )
    return CutShort(UNRECORDED, summary, cases, details)


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def unrecorded_case(own: Sequence[Interaction]) -> bool:
    """Whether a case that did not pass met a request its recording had no answer for: then it
    was cut short, not judged (the SDK turns the miss into its own connection error)."""
    return any(ix.unrecorded for ix in own)

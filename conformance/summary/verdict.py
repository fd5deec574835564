"""From check outcomes to the run's verdict and exit status (pure; SPEC's meanings)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..core.interactions import Interaction
from ..diagnosis import all_refused
from .model import CheckResult, RunSummary

EXIT_CONFORMANT = 0
EXIT_NONCONFORMANT = 1
EXIT_CONFIG_ERROR = 2
EXIT_UNREACHABLE = 3
EXIT_SECRET_LEAK = 4
EXIT_INCOMPLETE = 5

VERDICT_EXIT = {
    "conformant": EXIT_CONFORMANT,
    "nonconformant": EXIT_NONCONFORMANT,
    # Misconfigured *after* requests were sent (every authenticated request refused): the
    # configuration error that sends nothing exits 2 before any verdict exists.
    "misconfigured": EXIT_NONCONFORMANT,
    "unreachable": EXIT_UNREACHABLE,
    "incomplete": EXIT_INCOMPLETE,
}

VERDICT_MEANING = {
    "conformant": "Every check that ran passed: the endpoint behaves as documented.",
    "nonconformant": "At least one check failed or could not judge: see the diagnoses.",
    "misconfigured": "Every authenticated request was refused: the credentials or the endpoint "
    "configuration are wrong, so nothing about the deployment could be judged.",
    "unreachable": "No request got an HTTP answer: the endpoint could not be reached.",
    "incomplete": "The run was cut short before every check was judged (why is below); nothing "
    "that finished failed, but the rest is unknown.",
}


ECHOED_MEANING = (
    "Every check that ran passed, but the endpoint sent a credential back (credential-echoed): "
    "it is not conformant, and the credential should be treated as exposed."
)


def verdict_meaning(summary: RunSummary) -> str:
    """What the verdict means for this run, in one sentence."""
    nothing_failed = not any(_counts_against(c) for c in summary.checks)
    echoed = any(d.code == "credential-echoed" for d in summary.diagnoses)
    if summary.verdict == "nonconformant" and nothing_failed and echoed:
        return ECHOED_MEANING
    return VERDICT_MEANING.get(summary.verdict, "")


def _counts_against(check: CheckResult) -> bool:
    """A case that failed or could not judge, unless it was cut short (then it was not judged)."""
    if check.cut_short is not None:
        return False
    return check.status == "error" or (check.status == "failed" and check.severity != "info")


def count_statuses(checks: Sequence[CheckResult]) -> dict[str, int]:
    """``{passed, failed, skipped, errors}`` as SPEC spells them."""
    counter = Counter(check.status for check in checks)
    return {
        "passed": counter["passed"],
        "failed": counter["failed"],
        "skipped": counter["skipped"],
        "errors": counter["error"],
    }


def decide_verdict(
    checks: Sequence[CheckResult], interactions: Sequence[Interaction], *, cut_short: bool = False
) -> str:
    """The verdict: unreachable, misconfigured, nonconformant, incomplete (the run was cut short
    and nothing that finished failed), or (only then) conformant — and never conformant or
    incomplete when an answer sent a credential back. A replay's request that its recording
    could not answer was never sent: it says nothing about reaching the endpoint."""
    sent = [ix for ix in interactions if ix.unrecorded is None]
    if sent and not any(ix.answered for ix in sent):
        return "unreachable"
    if all_refused(sent):
        return "misconfigured"
    judged = [c for c in checks if c.status != "skipped"]
    if any(_counts_against(c) for c in judged):
        return "nonconformant"
    if any(ix.echoed for ix in interactions):
        return "nonconformant"  # a credential sent back is a finding about the endpoint
    if cut_short:
        return "incomplete"
    if not any(c.status == "passed" for c in judged):
        return "nonconformant"  # nothing was judged: never green
    return "conformant"


def exit_status(verdict: str, secrets_clean: bool) -> int:
    """``run``'s exit status: an artifact withheld because a secret could not be removed from
    it (4) outranks every verdict."""
    if not secrets_clean:
        return EXIT_SECRET_LEAK
    return VERDICT_EXIT[verdict]

"""One capability probe on one deployment: whether to send it now, sending it, and turning the
judgement into the case's outcome and its cell of the matrix.

Cheap by construction. The standard suite probes what the platform profile leaves open for the
deployment's model — a capability some hosting option that offers it lists as conflicting,
unknown or unsupported — and only with probes that cost a handful of tokens; what every such
option documents as supported is confirmed in ``--suite full`` (or when ``--select`` names the
check), and so are the probes that spend a thinking budget. Caching (a prefix over a thousand
tokens, twice) is opt-in: ``--suite full`` or ``--select``.

The outcome: supported or refused as the profile allows → passed; either one against every
option that offers the model → failed (``documented-feature-refused`` /
``unsupported-feature-accepted``); accepted but not honoured → failed (``feature-not-honoured``);
not judged → skipped with the reason (not probed) or could not judge (an answer that tells
nothing: throttled, not let in, a server error), or failed for a malformed answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

import httpx

from ..core import catalog
from ..core.capability import Comparison, Expectation, compare, expectation_for
from ..core.errors import CannotJudge, CheckFailure, Unavailable
from ..core.platform import CapabilityFacts, Model
from ..judge.capabilities import Answer, Judgement
from ..target.run import FoundryRun
from .helpers import RecordProperty, send_primary, stream_message, under_test

# Probes that spend a thinking budget (up to about a thousand output tokens): full suite only.
THINKING_PROBES = frozenset({"CAP-THINKING-ADAPTIVE", "CAP-THINKING-ENABLED"})
# Why the standard suite leaves a probe out, as the terminal folds the skips (the case's own
# reason adds what the profile documents and the --select that probes it).
SETTLED = (
    "documented as supported on every hosting option that offers the model: confirmed in "
    "--suite full; the standard suite probes what the platform profile leaves open"
)
COSTLY = "spends a thinking budget (up to about a thousand tokens): probed in --suite full"
# Judgements that come from a malformed answer: a failure of the endpoint, not of the probe.
FAILING_CODES = frozenset({"malformed-response", "stream-protocol-violation"})
CELL = "capability"
CELL_DETAIL = "capability_cell"


@dataclass
class Probe:
    """A CAP-* check's case: its deployment, the model behind it and what the profile expects."""

    run: FoundryRun
    check_id: str
    deployment: str
    model: Model | None
    facts: CapabilityFacts
    expectation: Expectation
    record: RecordProperty

    @classmethod
    def start(
        cls, run: FoundryRun, check_id: str, deployment: str, record: RecordProperty
    ) -> Probe:
        """The probe of ``check_id`` on ``deployment``; skipped (not judged) if not sent now."""
        deployment = under_test(run, deployment)
        profile = run.settings.profile
        facts = profile.capabilities.get(check_id)
        if facts is None:
            raise Unavailable(f"the platform profile has no capabilities.{check_id} entry")
        model = profile.model(deployment)
        probe = cls(
            run,
            check_id,
            deployment,
            model,
            facts,
            expectation_for(profile, check_id, model),
            record,
        )
        held = probe.not_now()
        if held is not None:
            probe.not_judged(*held)
        return probe

    def not_now(self) -> tuple[str, str] | None:
        """Why the standard suite does not send this probe, and that reason's kind (what every
        case held back for it shares), if it does not."""
        settings = self.run.settings
        if settings.suite == "full" or catalog.named(self.check_id, settings.select):
            return None
        select = f"--suite full (or --select {self.check_id})"
        if self.check_id in THINKING_PROBES:
            reason = f"spends a thinking budget (up to about a thousand tokens): probed in {select}"
            return reason, COSTLY
        if self.expectation.settled:
            reason = (
                f"documented as supported ({self.expectation.describe()}): confirmed in {select}; "
                "the standard suite probes what the platform profile leaves open"
            )
            return reason, SETTLED
        return None

    # -- sending -----------------------------------------------------------------------------

    @property
    def beta(self) -> dict[str, str] | None:
        """The ``anthropic-beta`` header the capability needs, if any."""
        return {"anthropic-beta": self.facts.beta} if self.facts.beta else None

    @property
    def refusal_documented(self) -> bool:
        """Whether every option that offers the model documents a refusal: the diagnosis then
        reads the refusal as the expected answer it is, not as a finding."""
        return self.expectation.expected == "unsupported"

    def post(self, body: Any, path: str = "v1/messages") -> Answer:
        """POST ``body`` with the run's primary auth."""
        expected = self.refusal_documented
        response = send_primary(
            self.run, "POST", path, body, headers=self.beta, expects_error=expected
        )
        return _answer(response)

    def count(self, body: Any) -> Answer:
        """POST ``body`` to count_tokens (free: nothing is generated)."""
        return self.post(body, "v1/messages/count_tokens")

    def get(self, path: str) -> Answer:
        """GET a listing route (a 404 is how an option without the API answers: expected)."""
        return _answer(send_primary(self.run, "GET", path, headers=self.beta, expects_error=True))

    def stream(self, body: Any) -> Answer:
        """Stream ``body``; the raw bytes as the answer's body."""
        response, raw, _ = stream_message(self.run, body)
        return Answer(response.status_code, dict(response.headers), raw)

    # -- concluding --------------------------------------------------------------------------

    def not_judged(self, reason: str, kind: str | None = None) -> NoReturn:
        """Record the cell as not judged and skip, saying why (``kind``: see ``Unavailable``)."""
        self._cell("not-judged", reason, None)
        raise Unavailable(reason, kind=kind)

    def conclude(self, judgement: Judgement) -> None:
        """The case's outcome from the probe's judgement (see the module docstring)."""
        status = judgement.status
        if status in ("supported", "refused"):
            comparison = compare(self.expectation, status)
            note = f"{comparison.text} — {judgement.reason}"
            self._cell(status, note, comparison)
            if comparison.drift is not None:
                raise CheckFailure(note, (comparison.drift, *judgement.codes))
            self.record("note", note)
            return
        said = f"{judgement.reason} (documented: {self.expectation.describe()})"
        self._cell(status, said, None)
        if status == "not-honoured":
            raise CheckFailure(said, ("feature-not-honoured",))
        if FAILING_CODES & set(judgement.codes):
            raise CheckFailure(said, judgement.codes)
        raise CannotJudge(said, judgement.codes)

    def _cell(self, status: str, reason: str, comparison: Comparison | None) -> None:
        self.record(CELL, status)
        self.record(
            CELL_DETAIL,
            {
                "reason": reason,
                "drift": comparison.drift or "" if comparison else "",
                "consistent_with": list(comparison.consistent_with) if comparison else [],
            },
        )


def _answer(response: httpx.Response) -> Answer:
    return Answer(response.status_code, dict(response.headers), response.content)

"""The capability matrix's vocabulary: what a cell can say, what the platform profile expects of a
capability for a model, and whether what a probe saw drifts from it.

A cell is one capability (a CAP-* check) on one deployment, in one of four states: **supported**
(accepted, and the answer shows it), **refused** (a 400, ideally in one of the field's refusal
wordings), **not honoured** (accepted, but the answer lacks the evidence: the worst case for a
user) and **not judged** (not probed, or no answer that tells, with the reason).

The expectation comes from the hosting options that offer the deployment's model (every option
when the profile does not know the model): each option's status of the capability's feature,
narrowed by the model's own rule where the capability is one (a thinking type, effort levels,
mid-conversation system messages). A model offered on several options is held to whichever
one the observation is consistent with; only an observation that contradicts every one of them
is drift. Conflicting sources stay conflicting: the cell says so and shows both sides. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .platform import Model, PlatformProfile, Provenance, Support

CellStatus = Literal["supported", "refused", "not-honoured", "not-judged"]
CELL_STATUSES: tuple[CellStatus, ...] = ("supported", "refused", "not-honoured", "not-judged")
# "varies": the options that offer the model disagree (one supports it, another does not).
Expected = Literal["supported", "unsupported", "conflicting", "unknown", "varies"]
Drift = Literal["documented-feature-refused", "unsupported-feature-accepted"]
# The catalog's capability checks: ID, what it verifies, opt-in (costly: --suite full or
# --select only), requests one case sends.
CAPABILITY_CHECKS: tuple[tuple[str, str, bool, int], ...] = (
    ("CAP-STREAMING", "Streaming is accepted and answered as an SSE stream", False, 1),
    (
        "CAP-TOOLS",
        "A custom tool forced with `tool_choice` is called with valid input",
        False,
        1,
    ),
    (
        "CAP-STRICT-TOOLS",
        "A `strict` tool is called with input valid for its schema",
        False,
        1,
    ),
    (
        "CAP-STRUCTURED-OUTPUT",
        "`output_config.format` answers JSON valid against the requested schema",
        False,
        1,
    ),
    (
        "CAP-OUTPUT-FORMAT",
        "The legacy `output_format` answers JSON valid against the requested schema",
        False,
        1,
    ),
    ("CAP-THINKING-ADAPTIVE", "Adaptive thinking answers with a thinking block", False, 1),
    (
        "CAP-THINKING-ENABLED",
        "Thinking with a manual `budget_tokens` answers with a thinking block",
        False,
        1,
    ),
    (
        "CAP-THINKING-DISABLED",
        "Thinking disabled answers without a thinking block",
        False,
        1,
    ),
    ("CAP-EFFORT", "An effort level of the model is accepted", False, 1),
    (
        "CAP-SYSTEM-MIDCONV",
        "A mid-conversation `system` message is accepted where the model takes it",
        False,
        1,
    ),
    ("CAP-IMAGES", "A base64 image is accepted and counted as input", False, 2),
    ("CAP-PDF", "A base64 PDF document is accepted and counted as input", False, 2),
    ("CAP-CITATIONS", "A document with citations enabled is cited in the answer", False, 1),
    ("CAP-SEARCH-RESULTS", "A `search_result` block is cited in the answer", False, 1),
    (
        "CAP-CACHING-5M",
        "A cached prefix (5-minute TTL) is read from the cache on the second request",
        True,
        2,
    ),
    (
        "CAP-CACHING-1H",
        "A cached prefix (1-hour TTL) is read from the cache on the second request",
        True,
        2,
    ),
    (
        "CAP-CONTEXT-EDITING",
        "Context editing (beta header) is accepted and reported in the answer",
        False,
        1,
    ),
    ("CAP-COUNT-TOKENS-TOOLS", "`count_tokens` counts a tool definition", False, 2),
    ("CAP-WEB-SEARCH", "The web search server tool is accepted (not run)", False, 1),
    ("CAP-WEB-FETCH", "The web fetch server tool is accepted (not run)", False, 1),
    (
        "CAP-CODE-EXECUTION",
        "The code execution server tool is accepted (not run)",
        False,
        1,
    ),
    ("CAP-TOOL-SEARCH", "The tool search server tool is accepted (not run)", False, 1),
    ("CAP-MCP-CONNECTOR", "The MCP connector (`mcp_servers`) is accepted", False, 1),
    ("CAP-FILES-API", "The Files API lists the files (`GET /v1/files`)", False, 1),
    ("CAP-SKILLS-API", "The Skills API lists the skills (`GET /v1/skills`)", False, 1),
)
# How an option's status ranks when the model's rule and the option's feature are combined.
_WEAKEST: tuple[Support, ...] = ("unsupported", "conflicting", "unknown", "supported")


@dataclass(frozen=True)
class OptionExpectation:
    """What one hosting option that offers the model says of the capability."""

    option: str  # the hosting option's id
    name: str  # its name ("Hosted on Azure")
    status: Support
    provenance: Provenance


@dataclass(frozen=True)
class Expectation:
    """What the profile expects of one capability for one model."""

    capability: str
    model: str | None  # None: a model the profile does not know
    options: tuple[OptionExpectation, ...]
    rule_note: str = ""  # what the model's rule says, when the capability has one

    @property
    def expected(self) -> Expected:
        """One word for the expectation: the options' common status, or ``varies``."""
        statuses = {o.status for o in self.options}
        if len(statuses) == 1:
            return next(iter(statuses))
        return "varies" if statuses else "unknown"

    @property
    def settled(self) -> bool:
        """Whether every option documents it as supported (a probe only confirms the docs)."""
        return bool(self.options) and all(o.status == "supported" for o in self.options)

    def describe(self) -> str:
        """``Hosted on Azure: conflicting; Hosted on Anthropic infrastructure: supported``."""
        parts = [f"{o.name}: {o.status}" for o in self.options]
        text = "; ".join(parts) or "no hosting option offers the model"
        return f"{self.rule_note} — {text}" if self.rule_note else text

    def conflicts(self) -> list[str]:
        """The notes of the options whose sources conflict, each named by its option."""
        return [
            f"{o.name}: {o.provenance.note}"
            for o in self.options
            if o.status == "conflicting" and o.provenance.note
        ]

    def by_option(self) -> dict[str, str]:
        """Option id → its status, for the summary."""
        return {o.option: o.status for o in self.options}


@dataclass(frozen=True)
class Comparison:
    """An observation held against the expectation."""

    consistent_with: tuple[str, ...]  # names of the options it is consistent with
    drift: Drift | None
    text: str  # one sentence for the cell and the check's note


def expectation_for(profile: PlatformProfile, capability: str, model: Model | None) -> Expectation:
    """What the profile expects of ``capability`` (a CAP-* check ID) for ``model``."""
    facts = profile.capabilities[capability]
    offered = [
        option
        for key, option in profile.hosting.items()
        if model is None or not model.hosting or key in model.hosting
    ]
    rule, rule_note = _rule(facts.rule, model)
    options = []
    for option in offered:
        feature = option.features.get(facts.feature) if facts.feature else None
        status: Support = feature.status if feature is not None else "unknown"
        provenance = feature.provenance if feature is not None else facts.provenance
        if facts.feature is None:
            status, provenance = "supported", model.provenance if model else facts.provenance
        if rule is not None:
            status = _weaker(status, rule)
        options.append(OptionExpectation(option.id, option.name, status, provenance))
    return Expectation(capability, model.id if model else None, tuple(options), rule_note)


def _rule(rule: str | None, model: Model | None) -> tuple[Support | None, str]:
    """The model's own rule for the capability, as a status and a note."""
    if rule is None:
        return None, ""
    if model is None:
        return "unknown", "the profile does not know the model's rules"
    if rule.startswith("thinking."):
        kind = rule.removeprefix("thinking.")
        allowed = model.allows_thinking(kind)
        return _allowed(allowed), f"{model.id} {'takes' if allowed else 'refuses'} {kind} thinking"
    if rule == "effort":
        levels = ", ".join(model.effort) or "none"
        return _allowed(bool(model.effort)), f"{model.id} takes the effort levels {levels}"
    allowed = model.mid_conversation_system
    said = "takes" if allowed else "refuses"
    return _allowed(allowed), f"{model.id} {said} mid-conversation system messages"


def _allowed(allowed: bool) -> Support:
    return "supported" if allowed else "unsupported"


def _weaker(a: Support, b: Support) -> Support:
    return min(a, b, key=_WEAKEST.index)


def compare(expectation: Expectation, observed: CellStatus) -> Comparison:
    """Whether ``observed`` drifts from what the options offering the model document."""
    options = expectation.options
    if observed == "supported":
        fits = tuple(o.name for o in options if o.status != "unsupported")
        if options and not fits:
            return Comparison(
                (), "unsupported-feature-accepted", _drift_text(expectation, "accepted")
            )
        return Comparison(fits, None, _fit_text(expectation, fits, "supported"))
    if observed == "refused":
        fits = tuple(o.name for o in options if o.status != "supported")
        if options and not fits:
            return Comparison((), "documented-feature-refused", _drift_text(expectation, "refused"))
        return Comparison(fits, None, _fit_text(expectation, fits, "refused"))
    return Comparison((), None, f"documented: {expectation.describe()}")


def _drift_text(expectation: Expectation, seen: str) -> str:
    documented = "supported" if seen == "refused" else "unsupported"
    return f"documented as {documented} ({expectation.describe()}), but {seen} here: the " + (
        "endpoint does not do what its documentation says"
        if seen == "refused"
        else "documentation (and the platform profile) is out of date"
    )


def _fit_text(expectation: Expectation, fits: tuple[str, ...], seen: str) -> str:
    statuses = {o.status for o in expectation.options if o.name in fits}
    if statuses <= {"supported", "unsupported"}:
        where = " and ".join(fits)
        return f"{seen}, as documented for {where}" if where else f"{seen}"
    conflicts = "; ".join(expectation.conflicts())
    said = f"documented: {expectation.describe()}"
    if "conflicting" in statuses:
        return f"{seen}: the sources conflict ({conflicts or said}); this deployment settles it"
    return f"{seen}; {said}"

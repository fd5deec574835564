"""Which reading of a finding its evidence supports: the entry as it stands, or one of its variants.

A variant says more than the entry — the endpoint is this machine, every request on the routes
failed, the token's claims were read and look right, the name differs only in case — so a finding
reads so only when every exchange it rests on shows it. A reading may add the one fact that makes
it, shown first among the finding's details.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from conformance.core.interactions import Interaction

from .context import DiagnosisContext
from .facts import RunFacts, requested_model
from .routes import host_and_port, is_loopback, route_of

# A server error seen once proves no persistence: at least this many, with no success beside.
PERSISTENT_AFTER = 2
ROUTES_SHOWN = 3


@dataclass(frozen=True)
class Reading:
    """The variant a finding reads as, the observed fact behind it ("": none to add), and the
    values of the variant's own ``${placeholders}``, taken from the evidence."""

    variant: str
    detail: str = ""
    facts: Mapping[str, str] = field(default_factory=dict)


_Rule = Callable[[Sequence[Interaction], DiagnosisContext, RunFacts], "Reading | None"]


def reading_of(
    code: str, evidence: Sequence[Interaction], ctx: DiagnosisContext, facts: RunFacts
) -> Reading | None:
    """The reading of the finding ``code`` on ``evidence`` (all of it, before any cap); None:
    the entry as it stands. A finding without evidence has no variant."""
    rule = READINGS.get(code)
    return rule(evidence, ctx, facts) if rule is not None and evidence else None


def _on_loopback(
    evidence: Sequence[Interaction], ctx: DiagnosisContext, facts: RunFacts
) -> Reading | None:
    """Every exchange went to this machine: no proxy, firewall or Azure network was involved."""
    if not all(is_loopback(ix.url) for ix in evidence):
        return None
    dialled = sorted({host_and_port(ix.url) for ix in evidence})
    target = " and ".join(f"{host}:{port}" for host, port in dialled)
    return Reading("loopback", facts={"target": target, "target_port": dialled[0][1]})


def _local_connection(
    evidence: Sequence[Interaction], ctx: DiagnosisContext, facts: RunFacts
) -> Reading | None:
    """On loopback: refused everywhere (nothing listens), or refused and dropped alike."""
    local = _on_loopback(evidence, ctx, facts)
    if local is None:
        return None
    refused = all("refused" in (ix.error_message or "").lower() for ix in evidence)
    return replace(local, variant="loopback-refused") if refused else local


def _persistent(
    evidence: Sequence[Interaction], ctx: DiagnosisContext, facts: RunFacts
) -> Reading | None:
    """No request on the routes of the server errors succeeded, and there were several."""
    failed = [ix for ix in evidence if ix.status is not None and ix.status >= 500]
    routes = sorted({route_of(ix.path) for ix in failed})
    if len(failed) < PERSISTENT_AFTER or any(r in facts.succeeded_routes for r in routes):
        return None
    shown = ", ".join(routes[:ROUTES_SHOWN])
    if len(routes) > ROUTES_SHOWN:
        shown += f" and {len(routes) - ROUTES_SHOWN} more routes"
    detail = (
        f"all {len(failed)} server errors were on {shown}, where no request of the run succeeded"
    )
    return Reading("persistent", detail)


def _claims_look_right(
    evidence: Sequence[Interaction], ctx: DiagnosisContext, facts: RunFacts
) -> Reading | None:
    """The claims of every refused token were read, and its expiry and audience are right."""

    def looks_right(ix: Interaction) -> bool:
        claims = ctx.token_claims.get(ix.auth or "")
        return (
            claims is not None
            and not claims.is_expired(ctx.now)
            and claims.has_audience(ctx.scope_for(ix.auth))
        )

    return Reading("claims-look-right") if all(looks_right(ix) for ix in evidence) else None


def _case_mismatch(
    evidence: Sequence[Interaction], ctx: DiagnosisContext, facts: RunFacts
) -> Reading | None:
    """Every name not found answered in this run under another case."""
    spelled: dict[str, str] = {}
    for ix in evidence:
        name = requested_model(ix)
        served = facts.served_in_other_case(name) if name else None
        if name is None or served is None:
            return None
        spelled[name] = served
    exact = ", ".join(f"{served} (not {name})" for name, served in sorted(spelled.items()))
    return Reading("case-mismatch", facts={"exact_names": exact})


# Which rule chooses the reading of each code that has variants.
READINGS: Mapping[str, _Rule] = {
    "connection-failed": _local_connection,
    "tls-error": _on_loopback,
    "server-error": _persistent,
    "invalid-token": _claims_look_right,
    "deployment-not-found": _case_mismatch,
}

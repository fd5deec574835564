"""One cause per evidence set: the precedence table, each of its rules, and where it stops."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conformance.core.interactions import Interaction
from conformance.diagnosis import (
    ALL_CODES,
    PRECEDENCE,
    DeclaredFinding,
    diagnose,
    explain_interaction,
    prevailing,
)
from conformance.diagnosis.precedence import HEADER_CODES, OVERRULED_BY, gives_way

from . import bodies
from .helpers import context, ix
from .test_every_code import SCENARIOS

PAIRS = sorted((winner, rule.loser) for rule in PRECEDENCE for winner in rule.winners)
GATEWAY_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
    "Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


def test_the_table_names_known_codes_and_never_a_header_code() -> None:
    for rule in PRECEDENCE:
        assert rule.loser in ALL_CODES and rule.winners <= set(ALL_CODES), rule
        assert rule.loser not in rule.winners and rule.why
        assert not (rule.winners | {rule.loser}) & HEADER_CODES, rule
    # No code both overrules and gives way to another: the order of the rules cannot matter.
    for loser, winners in OVERRULED_BY.items():
        assert not any(loser in OVERRULED_BY.get(winner, ()) for winner in winners), loser


def _winner_run(winner: str) -> tuple[list[Interaction], list[DeclaredFinding]]:
    """A literal run that diagnoses ``winner`` on some exchanges (a declared code on a 400)."""
    interactions, declared, _ = SCENARIOS[winner]
    if interactions:
        return list(interactions), list(declared)
    answer = ix(400, bodies.EXTRA_INPUTS, seq=7, check_id="MSG-BASIC")
    return [answer], [replace(d, evidence=(answer,)) for d in declared]


@pytest.mark.parametrize(("winner", "loser"), PAIRS, ids=[f"{w}>{lo}" for w, lo in PAIRS])
def test_each_rule_drops_the_loser_where_the_winner_explains_the_same_exchanges(
    winner: str, loser: str
) -> None:
    interactions, declared = _winner_run(winner)
    ctx = SCENARIOS[winner][2]
    found = {f.code: f for f in diagnose(interactions, ctx, declared)}
    assert winner in found, sorted(found)
    # A check declares the less specific cause on exactly the exchanges the winner rests on.
    same = DeclaredFinding(
        loser, "MSG-BASIC", f"{loser} on the same exchanges", found[winner].evidence
    )
    codes = [f.code for f in diagnose(interactions, ctx, [*declared, same])]
    assert winner in codes and loser not in codes, codes


def test_a_loser_with_an_exchange_of_its_own_stays_with_all_its_evidence() -> None:
    explained = ix(502, GATEWAY_502, seq=1, check_id="API-VERSION-MALFORMED")
    unexplained = ix(200, bodies.MESSAGE_OK, seq=2, check_id="API-VERSION-MALFORMED")
    declared = DeclaredFinding(
        "unexpected-status", "API-VERSION-MALFORMED", "expected 400", (explained, unexplained)
    )
    findings = {f.code: f for f in diagnose([explained, unexplained], context(), [declared])}
    assert sorted(findings) == ["server-error", "unexpected-status"]
    assert [e.seq for e in findings["unexpected-status"].evidence] == [1, 2]


def test_a_declaration_without_evidence_never_gives_way() -> None:
    answer = ix(502, GATEWAY_502, seq=1)
    declared = DeclaredFinding("unexpected-status", "MSG-BASIC", "no exchange named")
    codes = [f.code for f in diagnose([answer], context(), [declared])]
    assert codes == ["server-error", "unexpected-status"]


def test_a_502_gateway_page_is_a_server_error_not_an_unexplained_answer() -> None:
    # Issue 14: API-VERSION-MALFORMED expected a 400 and declared the 502 page it got unexplained.
    page = ix(502, GATEWAY_502, seq=38, check_id="API-VERSION-MALFORMED", expects_error=True)
    declared = DeclaredFinding(
        "unexpected-status", "API-VERSION-MALFORMED", "should be refused with 400, got 502", (page,)
    )
    [finding] = diagnose([page], context(), [declared])
    assert (finding.code, finding.checks) == ("server-error", ("API-VERSION-MALFORMED",))


def test_an_expected_refusal_declared_unexplained_is_read_for_its_own_cause() -> None:
    # A malformed anthropic-version sent to a deployment that does not exist: the 404 is the
    # deployment's, not a refusal "no documented behaviour explains".
    refusal = ix(
        404, bodies.DEPLOYMENT_NOT_FOUND, check_id="API-VERSION-MALFORMED", expects_error=True
    )
    assert explain_interaction(refusal, context()) == []  # expected refusals alone say nothing
    declared = DeclaredFinding("unexpected-status", "API-VERSION-MALFORMED", "got 404", (refusal,))
    [finding] = diagnose([refusal], context(), [declared])
    assert finding.code == "deployment-not-found"
    assert finding.details[0].endswith("deployment name sent: 'claude-sonnet-4-5'")
    assert finding.checks == ("API-VERSION-MALFORMED",)


def test_the_reread_adds_no_second_header_finding() -> None:
    bare = ix(404, bodies.DEPLOYMENT_NOT_FOUND, expects_error=True, headers={})
    declared = DeclaredFinding("unexpected-status", "API-VERSION-MALFORMED", "got 404", (bare,))
    [found, apim] = diagnose([bare], context(), [declared])
    assert (found.code, apim.code) == ("deployment-not-found", "missing-apim-request-id")
    assert len(apim.details) == 1


def test_prevailing_keeps_order_drops_repeats_and_the_overruled() -> None:
    assert prevailing(["unexpected-status", "server-error", "server-error"]) == ["server-error"]
    assert prevailing(["invalid-token", "missing-apim-request-id", "expired-token"]) == [
        "missing-apim-request-id",
        "expired-token",
    ]
    assert prevailing(["deployment-not-found", "model-retired"]) == ["model-retired"]
    assert prevailing(["overloaded", "stream-protocol-violation"]) == [
        "overloaded",
        "stream-protocol-violation",
    ]


def test_header_findings_never_give_way_to_the_cause_of_a_status() -> None:
    assert not gives_way("missing-apim-request-id", {"server-error", "deployment-not-found"})
    assert not gives_way("rate-limit-headers-present", set(ALL_CODES))

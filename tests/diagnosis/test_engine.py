"""Aggregation: one finding per cause, with its checks, evidence and details, most severe first."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.core.interactions import Interaction
from conformance.diagnosis import CATALOG, SEVERITY_ORDER, DeclaredFinding, diagnose
from conformance.diagnosis.engine import DETAILS_LIMIT, EVIDENCE_LIMIT

from . import bodies
from .helpers import claims, context, ix


def test_one_finding_per_code_gathers_checks_evidence_and_details() -> None:
    run = [
        ix(429, bodies.RATE_LIMIT_REACHED, seq=1, check_id="MSG-BASIC"),
        ix(429, bodies.RATE_LIMIT_REACHED_NO_HINT, seq=2, check_id="MSG-USAGE"),
        ix(429, bodies.RATE_LIMIT_REACHED, seq=3, check_id="MSG-BASIC"),
    ]
    (finding,) = diagnose(run, context())
    assert finding.code == "rate-limited" and finding.info.title == CATALOG["rate-limited"].title
    assert finding.severity == "warning"
    assert finding.checks == ("MSG-BASIC", "MSG-USAGE")
    assert [e.seq for e in finding.evidence] == [1, 2, 3]
    assert len(finding.details) == 3 and "#2 POST" in finding.details[1]


def test_findings_are_sorted_by_severity_then_first_sight() -> None:
    leaking = {**bodies.GATEWAY_HEADERS, "request-id": bodies.REQUEST_ID}
    leaking["anthropic-ratelimit-tokens-limit"] = "1"
    run = [
        ix(200, bodies.MESSAGE_OK, seq=1, headers=leaking),  # info
        ix(529, bodies.OVERLOADED, seq=2),  # warning
        ix(401, bodies.TOKEN_UNAUTHORIZED, seq=3, auth="entra"),  # blocker
        ix(404, bodies.DEPLOYMENT_NOT_FOUND, seq=4),  # blocker, later
        ix(500, "", seq=5),  # warning, later
    ]
    codes = [f.code for f in diagnose(run, context(entra=claims()))]
    assert codes == [
        "invalid-token",
        "deployment-not-found",
        "overloaded",
        "server-error",
        "rate-limit-headers-present",
    ]
    severities = [SEVERITY_ORDER[CATALOG[c].severity] for c in codes]
    assert severities == sorted(severities)


def test_declared_findings_join_those_the_engine_makes() -> None:
    streamed = ix(
        200, bodies.STREAM_OK + "data: [DONE]\n\n", seq=2, streamed=True, check_id="MSG-STREAM"
    )
    run = [ix(200, bodies.MESSAGE_OK, seq=1), streamed]
    copy = Interaction.from_dict(streamed.to_dict())  # a check may hold a copy of the exchange
    declared = [
        DeclaredFinding("stream-protocol-violation", "MSG-STREAM", "a data: [DONE] frame", (copy,)),
        DeclaredFinding("stream-protocol-violation", "SDK-STREAM", "no message_stop", (streamed,)),
        DeclaredFinding("config-conflict", "EP-REACH", "both --resource and --base-url"),
    ]
    findings = diagnose(run, context(), declared)
    assert [f.code for f in findings] == ["stream-protocol-violation", "config-conflict"]
    stream = findings[0]
    assert stream.checks == ("MSG-STREAM", "SDK-STREAM")
    assert stream.evidence == (streamed,)
    assert stream.details == ("a data: [DONE] frame", "no message_stop")
    assert findings[1].evidence == ()


def test_a_declared_finding_with_evidence_sorts_among_the_interactions() -> None:
    run = [ix(404, bodies.DEPLOYMENT_NOT_FOUND, seq=1), ix(200, bodies.MESSAGE_OK, seq=2)]
    declared = [
        DeclaredFinding("config-missing", "AUTH-ENTRA", "no Entra credential"),
        DeclaredFinding("malformed-response", "MSG-BASIC", "no usage object", (run[1],)),
    ]
    codes = [f.code for f in diagnose(run, context(), declared)]
    assert codes == ["deployment-not-found", "malformed-response", "config-missing"]


def test_an_unknown_declared_code_becomes_a_harness_fault() -> None:
    declared = [DeclaredFinding("stream-protcol-violation", "MSG-STREAM", "[DONE] seen")]
    (finding,) = diagnose([], context(), declared)
    assert finding.code == "check-error" and finding.checks == ("MSG-STREAM",)
    assert "unknown diagnosis 'stream-protcol-violation'" in finding.details[0]


def test_evidence_is_capped_and_prefers_exchanges_support_can_find() -> None:
    with_ids = [ix(500, "", seq=n, check_id="MSG-BASIC") for n in range(1, 13)]
    without = [ix(500, "", seq=n, headers={}) for n in range(13, 16)]
    (server, apim) = diagnose([*without, *with_ids], context())
    assert server.code == "server-error"
    assert len(server.evidence) == EVIDENCE_LIMIT
    assert [e.seq for e in server.evidence] == list(range(1, 11))
    assert apim.code == "missing-apim-request-id"


def test_details_are_capped_with_a_count_of_the_rest() -> None:
    # A success on the same route: transient errors, so no reading adds a detail of its own.
    run = [
        ix(200, bodies.MESSAGE_OK, seq=0),
        *(ix(500, "", seq=n) for n in range(1, DETAILS_LIMIT + 4)),
    ]
    (finding,) = diagnose(run, context())
    assert len(finding.details) == DETAILS_LIMIT + 1
    assert finding.details[-1] == "… and 3 more like these"


def test_a_clean_run_has_no_findings() -> None:
    run = [
        ix(200, bodies.MESSAGE_OK, seq=1, auth="x-api-key", check_id="AUTH-X-API-KEY"),
        ix(401, bodies.INVALID_SUBSCRIPTION_KEY, seq=2, auth="bad-key", expects_error=True),
        ix(
            404,
            bodies.API_NOT_SUPPORTED,
            seq=3,
            method="GET",
            path="/anthropic/v1/models",
            auth="x-api-key",
            check_id="UNS-MODELS",
            expects_error=True,
        ),
        ix(200, bodies.STREAM_OK, seq=4, streamed=True, check_id="MSG-STREAM"),
    ]
    assert diagnose(run, context()) == []


# --- robustness: any run is diagnosed without raising ---

labels = st.sampled_from(
    [
        None,
        "x-api-key",
        "api-key",
        "key-as-bearer",
        "entra",
        "entra-alt-scope",
        "none",
        "bad-key",
        "bad-token",
        "sdk-key",
        "sdk-entra",
        "rbac-probe",
        "something-new",
    ]
)
known_bodies = st.sampled_from(
    [value for name, value in vars(bodies).items() if name.isupper() and isinstance(value, str)]
)
interactions = st.builds(
    ix,
    status=st.none() | st.integers(min_value=100, max_value=599),
    body=known_bodies | st.text(max_size=200),
    seq=st.integers(min_value=1, max_value=50),
    method=st.sampled_from(["GET", "POST", "HEAD"]),
    path=st.sampled_from(["/anthropic/v1/messages", "/v1/messages", "/anthropic/v1/models", "/x"]),
    auth=labels,
    expects_error=st.booleans(),
    headers=st.none() | st.dictionaries(st.text(max_size=30), st.text(max_size=30), max_size=4),
    error_class=st.none() | st.sampled_from(["ConnectError", "ReadTimeout", "KeyError"]),
    error_message=st.none() | st.text(max_size=50),
    streamed=st.booleans(),
    complete=st.booleans(),
)


@settings(max_examples=200)
@given(st.lists(interactions, max_size=8))
def test_any_run_is_diagnosed_with_catalogued_codes(run: list[Interaction]) -> None:
    ctx = context(entra=claims(), sdk_entra=claims(audience="https://x"))
    for finding in diagnose(run, ctx):
        assert finding.code in CATALOG and finding.details
        assert len(finding.evidence) <= EVIDENCE_LIMIT

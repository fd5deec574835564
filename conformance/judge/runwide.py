"""The run-wide checks' judgement: rules over every interaction of a run (pure).

RID-REQUEST-ID, RID-APIM-REQUEST-ID and RL-HEADERS-ABSENT judge the whole run's traffic, so they
run after every other check (their catalog phase is ``run-wide``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core.interactions import Interaction
from ..core.untrusted import UntrustedJSONError, parse_json


@dataclass(frozen=True)
class RunWideVerdict:
    """A run-wide check's outcome: passed, failed, or could not judge (error)."""

    status: str
    reason: str = ""
    codes: tuple[str, ...] = ()
    evidence: tuple[int, ...] = ()
    note: str = ""
    details: dict[str, object] = field(default_factory=dict)


def anthropic_layer_answered(ix: Interaction) -> bool:
    """Whether the Anthropic layer produced this answer: a success, or an Anthropic-shaped error."""
    if ix.status is None:
        return False
    if 200 <= ix.status < 300:
        return True
    try:
        data = parse_json(ix.response_body, source="the response body")
    except UntrustedJSONError:  # not JSON, or beyond the bounds of a body (too deep, too large)
        return False
    if not isinstance(data, dict):  # JSON, but no envelope at all: not the Anthropic layer's
        return False
    error = data.get("error")
    return data.get("type") == "error" and isinstance(error, dict) and "type" in error


def _where(ix: Interaction) -> str:
    return f"{ix.method} {ix.path} → {ix.status} (check {ix.check_id or 'session'})"


def _seqs(items: Sequence[Interaction]) -> tuple[int, ...]:
    return tuple(ix.seq for ix in items[:20])


def judge_request_ids(interactions: Sequence[Interaction]) -> RunWideVerdict:
    """Every Anthropic-layer answer carries ``request-id`` (gateway errors need not)."""
    answered = [ix for ix in interactions if ix.answered]
    anthropic = [ix for ix in answered if anthropic_layer_answered(ix)]
    if not anthropic:
        return RunWideVerdict(
            "error", "could not judge: no response of this run came from the Anthropic layer"
        )
    gateway = len(answered) - len(anthropic)
    note = (
        f"{gateway} Azure gateway answers (auth, routing, throttling) carry only apim-request-id, "
        "as in the field: quote that one for them"
        if gateway
        else ""
    )
    missing = [ix for ix in anthropic if not ix.request_id]
    if missing:
        return RunWideVerdict(
            "failed",
            f"{len(missing)} of {len(anthropic)} Anthropic-layer answers lack request-id, e.g. "
            + "; ".join(_where(ix) for ix in missing[:3]),
            ("missing-request-id",),
            _seqs(missing),
            note,
        )
    return RunWideVerdict("passed", note=note)


def judge_apim_request_ids(interactions: Sequence[Interaction]) -> RunWideVerdict:
    """Every answer, gateway errors included, carries ``apim-request-id``."""
    answered = [ix for ix in interactions if ix.answered]
    if not answered:
        return RunWideVerdict("error", "could not judge: no request of this run got an HTTP answer")
    missing = [ix for ix in answered if not ix.apim_request_id]
    if missing:
        return RunWideVerdict(
            "failed",
            f"{len(missing)} of {len(answered)} answers lack apim-request-id, e.g. "
            + "; ".join(_where(ix) for ix in missing[:3]),
            ("missing-apim-request-id",),
            _seqs(missing),
        )
    return RunWideVerdict("passed")


def judge_ratelimit_headers(interactions: Sequence[Interaction], prefix: str) -> RunWideVerdict:
    """None of Anthropic's ``anthropic-ratelimit-*`` headers appears on any answer."""
    answered = [ix for ix in interactions if ix.answered]
    if not answered:
        return RunWideVerdict("error", "could not judge: no request of this run got an HTTP answer")
    leaking = [
        ix for ix in answered if any(name.startswith(prefix) for name in ix.response_headers)
    ]
    if leaking:
        names = sorted({n for ix in leaking for n in ix.response_headers if n.startswith(prefix)})
        return RunWideVerdict(
            "failed",
            f"{len(leaking)} of {len(answered)} responses carry {', '.join(names)}: the "
            "documentation says Foundry sends none (documentation drift, or a proxy adds them)",
            ("rate-limit-headers-present",),
            _seqs(leaking),
        )
    return RunWideVerdict("passed")

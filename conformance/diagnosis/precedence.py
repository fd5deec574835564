"""One cause per evidence set: which diagnosis gives way when a more specific one explains the
same exchanges.

The rules name every code an exchange supports and the checks declare their own, so two codes can
point at the same exchanges: a check's "no documented behaviour explains this" beside the
engine's "a server error", a 404 that is both a retirement and a missing deployment. The table
below says which wins, and why; the engine drops a finding's sighting when every exchange it rests
on carries a code that overrules it (``gives_way``), and a check lists only the codes that
prevail among its own (``prevailing``), so no report says both.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import get_args

from .info import DiagnosisCode

# Codes about what an answer's headers carry: they say nothing of what the answer means, so they
# neither give way to the cause of a status nor overrule it.
HEADER_CODES: frozenset[DiagnosisCode] = frozenset(
    {"missing-request-id", "missing-apim-request-id", "rate-limit-headers-present"}
)
# Codes of the configuration and of the harness itself: no exchange's cause.
_NOT_CAUSES: frozenset[DiagnosisCode] = frozenset(
    {"config-conflict", "config-missing", "check-error"}
)


# The catch-all a check declares when an answer is not the one it expected: the engine then reads
# the exchanges it rests on as if no refusal had been expected, so that a named cause can win.
REREAD_WHEN_DECLARED: frozenset[DiagnosisCode] = frozenset({"unexpected-status"})


@dataclass(frozen=True)
class Precedence:
    """``loser`` gives way wherever one of ``winners`` explains the same exchanges."""

    loser: DiagnosisCode
    winners: frozenset[DiagnosisCode]
    why: str


def _causes_but(*codes: DiagnosisCode) -> frozenset[DiagnosisCode]:
    every: frozenset[DiagnosisCode] = frozenset(get_args(DiagnosisCode))
    return every - HEADER_CODES - _NOT_CAUSES - frozenset(codes)


PRECEDENCE: tuple[Precedence, ...] = (
    Precedence(
        "unexpected-status",
        _causes_but("unexpected-status"),
        "any named cause explains what 'no documented behaviour explains it' only gives up on",
    ),
    Precedence(
        "invalid-token",
        frozenset(
            {"expired-token", "wrong-token-audience", "alt-scope-refused", "missing-rbac-role"}
        ),
        "the token's claims or the refusal name why the token was refused",
    ),
    Precedence(
        "invalid-api-key",
        frozenset(
            {
                "api-key-header-rejected",
                "x-api-key-header-rejected",
                "key-auth-disabled",
                "entra-only-model",
            }
        ),
        "the key is good: a header, the resource or the model refuses keys so sent",
    ),
    Precedence(
        "deployment-not-found",
        frozenset({"model-retired"}),
        "a retired model's 404 is its retirement, not a typo in the name",
    ),
    Precedence(
        "server-error",
        frozenset({"overloaded", "backend-auth-failed"}),
        "the 5xx names its own cause",
    ),
    Precedence(
        "rate-limited",
        frozenset({"zero-quota"}),
        "a quota of 0 is no load to back off from",
    ),
    Precedence(
        "connection-failed",
        frozenset({"dns-failure", "tls-error", "timeout"}),
        "the failure below HTTP has a named cause",
    ),
)


def _assemble() -> Mapping[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for rule in PRECEDENCE:
        # Two rows for one loser, or a code that overrules itself, is a mistake in the table.
        if rule.loser in table or rule.loser in rule.winners:
            raise RuntimeError(f"diagnosis precedence: a second or circular rule for {rule.loser}")
        table[rule.loser] = frozenset(rule.winners)
    return table


# loser → the codes that overrule it.
OVERRULED_BY: Mapping[str, frozenset[str]] = _assemble()


def gives_way(code: str, present: Collection[str]) -> bool:
    """Whether ``code`` is overruled by one of the ``present`` codes of the same exchanges."""
    return any(winner in present for winner in OVERRULED_BY.get(code, ()))


def prevailing(codes: Iterable[str]) -> list[str]:
    """``codes`` (one check's, one exchange's) without those another of them overrules, in
    order and without repeats."""
    unique = list(dict.fromkeys(codes))
    return [code for code in unique if not gives_way(code, unique)]

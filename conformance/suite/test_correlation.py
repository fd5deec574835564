"""Correlation IDs: what support asks for must be on every answer that should carry it."""

from __future__ import annotations

import pytest

from ..failures import CannotJudge, CheckFailure
from ..interactions import Interaction
from ..session import FoundryRun
from .helpers import RecordProperty, anthropic_layer_answered, evidence_property

check = pytest.mark.foundry_check


def _answered(run: FoundryRun) -> list[Interaction]:
    return [ix for ix in run.log.snapshot() if ix.answered]


def _where(ix: Interaction) -> str:
    return f"{ix.method} {ix.path} → {ix.status} (check {ix.check_id or '?'})"


@check("RID-REQUEST-ID")
def test_anthropic_answers_carry_request_id(
    foundry_run: FoundryRun, record_property: RecordProperty
) -> None:
    """Every response the Anthropic layer produced carries `request-id` (gateway errors may not)."""
    anthropic = [ix for ix in _answered(foundry_run) if anthropic_layer_answered(ix)]
    if not anthropic:
        raise CannotJudge("no response of this run came from the Anthropic layer")
    missing = [ix for ix in anthropic if not ix.request_id]
    gateway = [ix for ix in _answered(foundry_run) if not anthropic_layer_answered(ix)]
    if gateway:
        record_property(
            "note",
            f"{len(gateway)} Azure gateway answers (auth, routing, throttling) carry only "
            "apim-request-id, as in the field: quote that one for them",
        )
    if missing:
        evidence_property(record_property, missing)
        raise CheckFailure(
            f"{len(missing)} of {len(anthropic)} Anthropic-layer answers lack request-id, e.g. "
            + "; ".join(_where(ix) for ix in missing[:3]),
            ("missing-request-id",),
        )


@check("RID-APIM-REQUEST-ID")
def test_every_answer_carries_apim_request_id(
    foundry_run: FoundryRun, record_property: RecordProperty
) -> None:
    """Every response, gateway errors included, carries `apim-request-id`."""
    answered = _answered(foundry_run)
    if not answered:
        raise CannotJudge("no request of this run got an HTTP answer")
    missing = [ix for ix in answered if not ix.apim_request_id]
    if missing:
        evidence_property(record_property, missing)
        raise CheckFailure(
            f"{len(missing)} of {len(answered)} answers lack apim-request-id, e.g. "
            + "; ".join(_where(ix) for ix in missing[:3]),
            ("missing-apim-request-id",),
        )

"""Correlation IDs: what support asks for must be on every answer that should carry it."""

from __future__ import annotations

import pytest

from ..judge.runwide import judge_apim_request_ids, judge_request_ids
from ..target.run import FoundryRun
from .helpers import RecordProperty, apply_run_wide

check = pytest.mark.foundry_check


@check("RID-REQUEST-ID")
def test_anthropic_answers_carry_request_id(
    foundry_run: FoundryRun, record_property: RecordProperty
) -> None:
    """Every response the Anthropic layer produced carries `request-id` (gateway errors may not)."""
    apply_run_wide(judge_request_ids(foundry_run.log.snapshot()), record_property)


@check("RID-APIM-REQUEST-ID")
def test_every_answer_carries_apim_request_id(
    foundry_run: FoundryRun, record_property: RecordProperty
) -> None:
    """Every response, gateway errors included, carries `apim-request-id`."""
    apply_run_wide(judge_apim_request_ids(foundry_run.log.snapshot()), record_property)

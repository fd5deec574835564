"""Rate limits: Anthropic's headers are absent; a 429 says how long to wait, and waiting works."""

from __future__ import annotations

import pytest

from ..judge.runwide import judge_ratelimit_headers
from ..target.run import FoundryRun
from .helpers import RecordProperty, apply_run_wide
from .probes import probe_rate_limit

check = pytest.mark.foundry_check


@check("RL-HEADERS-ABSENT")
def test_no_anthropic_ratelimit_headers(
    foundry_run: FoundryRun, record_property: RecordProperty
) -> None:
    """None of the nine `anthropic-ratelimit-*` headers appears on any response of the run."""
    prefix = foundry_run.settings.profile.rate_limit_header_prefix
    verdict = judge_ratelimit_headers(foundry_run.log.snapshot(), prefix)
    apply_run_wide(verdict, record_property)


@check("RL-429")
def test_rate_limit_probe_backs_off_and_recovers(
    foundry_run: FoundryRun, primary_deployment: str, record_property: RecordProperty
) -> None:
    """Opt-in: provoke a 429 within a request budget, read its wait hint, back off, recover."""
    probe_rate_limit(foundry_run, primary_deployment, record_property)

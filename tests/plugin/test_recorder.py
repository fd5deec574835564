"""Why a check must not run here, said truly for the run at hand (no pytest session needed)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from conformance.config import Mode, RawOptions, resolve_settings
from conformance.plugin.recorder import RunRecorder

BASE = "https://example.services.ai.azure.com/anthropic/"
ENV_VARIABLE = re.compile(r"\b(?:ANTHROPIC_FOUNDRY|FOUNDRY_CONFORMANCE)_[A-Z_]+")


def _recorder(kind: Mode) -> RunRecorder:
    settings = resolve_settings(RawOptions(base_url=BASE), {"ANTHROPIC_FOUNDRY_API_KEY": "k" * 32})
    recorder = RunRecorder(replace(settings, kind=kind))
    recorder.wanted()  # the standard suite: the opt-in probes are listed, as skipped
    return recorder


@pytest.mark.parametrize("check_id", ["AUTH-RBAC", "RL-429"])
def test_a_replay_s_opt_in_skip_says_how_to_record_it_and_names_no_variable(check_id: str) -> None:
    reason = str(_recorder(Mode.REPLAY).skip_reason(check_id) or "")
    assert "the cassettes hold no request for it" in reason
    assert f"re-record with --suite full (or --select {check_id})" in reason
    assert not ENV_VARIABLE.search(reason), reason


def test_a_live_run_s_opt_in_skip_names_the_variable_the_probe_needs() -> None:
    reason = str(_recorder(Mode.LIVE).skip_reason("AUTH-RBAC") or "")
    assert reason.endswith("and FOUNDRY_CONFORMANCE_UNPRIVILEGED_TOKEN set")


def test_a_replay_recorded_without_the_rate_limit_probe_says_so() -> None:
    recorder = _recorder(Mode.REPLAY)
    recorder.outside_suite.clear()  # as if the recording ran --suite full
    reason = str(recorder.skip_reason("RL-429") or "")
    assert reason.startswith("opt-in probe, recorded without --probe-rate-limit")
    assert "re-record with --probe-rate-limit" in reason


def test_the_rate_limit_probe_flag_alone_runs_the_probe_in_the_standard_suite() -> None:
    settings = resolve_settings(RawOptions(base_url=BASE), {"ANTHROPIC_FOUNDRY_API_KEY": "k" * 32})
    recorder = RunRecorder(replace(settings, probe_rate_limit=True))
    assert "RL-429" in recorder.wanted()
    assert "RL-429" not in recorder.outside_suite
    assert recorder.skip_reason("RL-429") is None
    # Without the flag the probe is listed, and skipped with how to run it.
    plain = _recorder(Mode.LIVE)
    assert "RL-429" in plain.outside_suite and plain.skip_reason("RL-429") is not None

"""Rate limits: Anthropic's headers are absent; a 429 says how long to wait, and waiting works."""

from __future__ import annotations

import time

import pytest

from ..constants import RATE_LIMIT_HEADER_PREFIX
from ..diagnosis import classify_error_body
from ..failures import CannotJudge, CheckFailure
from ..session import FoundryRun
from .helpers import RecordProperty, describe, evidence_property, message_body, send_primary

check = pytest.mark.foundry_check

# How long the probe waits for an advertised back-off before it calls the test inconclusive.
MAX_PROBE_WAIT_S = 65.0
PROBE_CAP = 120


@check("RL-HEADERS-ABSENT")
def test_no_anthropic_ratelimit_headers(
    foundry_run: FoundryRun, record_property: RecordProperty
) -> None:
    """None of the nine `anthropic-ratelimit-*` headers appears on any response of the run."""
    answered = [ix for ix in foundry_run.log.snapshot() if ix.answered]
    if not answered:
        raise CannotJudge("no request of this run got an HTTP answer")
    leaking = [
        ix
        for ix in answered
        if any(name.startswith(RATE_LIMIT_HEADER_PREFIX) for name in ix.response_headers)
    ]
    if leaking:
        names = sorted(
            {
                n
                for ix in leaking
                for n in ix.response_headers
                if n.startswith(RATE_LIMIT_HEADER_PREFIX)
            }
        )
        evidence_property(record_property, leaking)
        raise CheckFailure(
            f"{len(leaking)} of {len(answered)} responses carry {', '.join(names)}: the "
            "documentation says Foundry sends none (documentation drift, or a proxy adds them)",
            ("rate-limit-headers-present",),
        )


@check("RL-429")
def test_rate_limit_probe_backs_off_and_recovers(
    foundry_run: FoundryRun, primary_deployment: str, record_property: RecordProperty
) -> None:
    """Opt-in: provoke a 429 within a request budget, read its wait hint, back off, recover."""
    budget = min(PROBE_CAP, max(0, foundry_run.settings.max_requests - len(foundry_run.log) - 4))
    body = message_body(primary_deployment, 1)
    throttled = None
    for _ in range(budget):
        response = send_primary(
            foundry_run,
            "POST",
            "v1/messages/count_tokens",
            {k: body[k] for k in ("model", "messages")},
            expects_error=True,
        )
        if response.status_code == 429:
            throttled = response
            break
    if throttled is None:
        pytest.skip(f"no 429 within {budget} requests: the quota is above the probe's budget")
    signature = classify_error_body(429, dict(throttled.headers), throttled.text)
    hint = signature.retry_after_seconds or signature.wait_seconds
    record_property("note", f"429 after {len(foundry_run.log)} requests; wait hint {hint!r} s")
    if hint is None:
        raise CheckFailure(
            f"the 429 says neither retry-after nor 'Please wait N seconds': "
            f"{describe(foundry_run, throttled)}",
            ("rate-limited",),
        )
    if hint > MAX_PROBE_WAIT_S:
        raise CannotJudge(f"the 429 asks to wait {hint} s, longer than the probe waits")
    wait = float(hint)
    for _attempt in range(3):
        time.sleep(wait)
        retry = send_primary(
            foundry_run,
            "POST",
            "v1/messages/count_tokens",
            {k: body[k] for k in ("model", "messages")},
            expects_error=True,
        )
        if 200 <= retry.status_code < 300:
            return
        if retry.status_code != 429:
            raise CheckFailure(
                f"after backing off, the endpoint answered {describe(foundry_run, retry)}"
            )
        wait = min(wait * 2, MAX_PROBE_WAIT_S)
    evidence_property(record_property, foundry_run.log.snapshot()[-3:])
    raise CheckFailure(
        f"still throttled after waiting the advertised {hint} s and backing off twice",
        ("rate-limited",),
    )

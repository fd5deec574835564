"""The opt-in rate-limit probe (RL-429): it exhausts the quota on purpose, so it runs last and alone."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from ..core.errors import CannotJudge, CheckFailure
from ..diagnosis import classify_error_body
from ..target.run import FoundryRun
from .helpers import RecordProperty, describe, evidence_property, message_body, send_primary

# How long the probe waits for an advertised back-off before it calls the test inconclusive.
MAX_PROBE_WAIT_S = 65.0
PROBE_CAP = 120


def probe_rate_limit(
    foundry_run: FoundryRun,
    primary_deployment: str,
    record_property: RecordProperty,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Provoke a 429 within the request budget, read its wait hint, back off, recover.

    Raises like a check (``CheckFailure``, ``CannotJudge``, ``pytest.skip``), so that the test
    and, under concurrency, the controller (which runs it after every worker has finished) share it.
    """
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
        sleep(wait)
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

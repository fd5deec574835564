"""What the checks share: request builders that tag and record, and the judgement of answers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx

from ..core.errors import CannotJudge, CheckFailure
from ..core.interactions import Interaction, tagged
from ..core.untrusted import UntrustedJSONError, parse_json
from ..judge.runwide import RunWideVerdict
from ..target.discovery import NO_DEPLOYMENT
from ..target.run import FoundryRun
from ..target.seam import DOCUMENTED

# pytest's ``record_property`` fixture: a name and a value for the report and JUnit.
RecordProperty = Callable[[str, object], None]

# A prompt that needs one token to answer: every live request costs as little as it can.
PROMPT = "Reply with the single word: ok"
UNKNOWN_DEPLOYMENT = "foundry-conformance-no-such-deployment"


def message_body(deployment: str, max_tokens: int = 1, **extra: Any) -> dict[str, Any]:
    """A minimal Messages request."""
    return {
        "model": deployment,
        "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": PROMPT}],
        **extra,
    }


def count_tokens_body(deployment: str, **extra: Any) -> dict[str, Any]:
    """A minimal count_tokens request (free: nothing is generated or billed)."""
    return {"model": deployment, "messages": [{"role": "user", "content": PROMPT}], **extra}


def send(
    run: FoundryRun,
    method: str,
    path: str,
    *,
    auth: httpx.Auth | None,
    label: str,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    expects_error: bool = False,
    anthropic_version: str | None = DOCUMENTED,
) -> httpx.Response:
    """Send one request through the seam, tagged with its auth ``label``; the body is read."""
    with tagged(auth=label, expects_error=expects_error):
        request = run.client.build(
            method, path, json=body, headers=headers, anthropic_version=anthropic_version
        )
        return run.client.send(request, auth=auth)


def send_primary(
    run: FoundryRun,
    method: str,
    path: str,
    body: Any = None,
    *,
    expects_error: bool = False,
    headers: Mapping[str, str] | None = None,
    anthropic_version: str | None = DOCUMENTED,
) -> httpx.Response:
    """Send with the run's primary auth (``x-api-key`` when a key is used, else Entra)."""
    label, auth = run.primary_auth()
    return send(
        run,
        method,
        path,
        auth=auth,
        label=label,
        body=body,
        headers=headers,
        expects_error=expects_error,
        anthropic_version=anthropic_version,
    )


def under_test(run: FoundryRun, deployment: str) -> str:
    """The deployment a per-deployment case tests (skipped, saying why, when there is none)."""
    return run.primary_deployment if deployment == NO_DEPLOYMENT else deployment


def describe(run: FoundryRun, response: httpx.Response) -> str:
    """``HTTP 401 {"error": …} (apim-request-id …)``, redacted, for a failure message."""
    body = run.redactor.text(response.text[:300].strip())
    ids = [
        f"{name} {response.headers[name]}"
        for name in ("request-id", "apim-request-id")
        if name in response.headers
    ]
    suffix = f" ({', '.join(ids)})" if ids else " (no correlation IDs)"
    return f"HTTP {response.status_code} {body}{suffix}"


def refuse_to_judge_throttling(run: FoundryRun, response: httpx.Response) -> None:
    """A 429 says nothing about conformance: the check could not judge, and says why."""
    if response.status_code == 429:
        raise CannotJudge(
            f"the endpoint throttled the request: {describe(run, response)}", ("rate-limited",)
        )


def expect_success(run: FoundryRun, response: httpx.Response, what: str) -> None:
    """Fail unless 2xx (a 429 is 'could not judge', not a failure)."""
    if 200 <= response.status_code < 300:
        return
    refuse_to_judge_throttling(run, response)
    raise CheckFailure(f"{what}: expected 2xx, got {describe(run, response)}")


def expect_refusal(
    run: FoundryRun,
    response: httpx.Response,
    statuses: Iterable[int],
    what: str,
    code_if_accepted: str | None = None,
) -> None:
    """Fail unless the status is one of ``statuses`` (an acceptance is named ``code_if_accepted``)."""
    allowed = tuple(statuses)
    if response.status_code in allowed:
        return
    refuse_to_judge_throttling(run, response)
    codes = (code_if_accepted,) if code_if_accepted and response.status_code < 300 else ()
    raise CheckFailure(
        f"{what}: expected {' or '.join(map(str, allowed))}, got {describe(run, response)}", codes
    )


def json_body(run: FoundryRun, response: httpx.Response) -> Any:
    """The decoded body (within the bounds of untrusted JSON), or a failure naming it malformed."""
    try:
        return parse_json(response.content, source="the answer")
    except UntrustedJSONError as exc:
        why = "" if exc.decode_error else f" ({exc.path} {exc.problem})"  # too deep, too large…
        raise CheckFailure(
            f"the answer is not JSON{why}: {describe(run, response)}", ("malformed-response",)
        ) from None


def stream_message(
    run: FoundryRun,
    body: Mapping[str, Any],
    *,
    label: str | None = None,
    auth: httpx.Auth | None = None,
) -> tuple[httpx.Response, bytes, float | None]:
    """Stream a Messages request; the raw bytes, and the time to the first content delta in ms
    as the seam measured it (on the clock of the request's total, so never above it)."""
    if auth is None:
        label, auth = run.primary_auth()
    with tagged(auth=label, expects_error=False):
        request = run.client.build("POST", "v1/messages", json={**body, "stream": True})
        response = run.client.send(request, auth=auth, stream=True)
        try:
            if not 200 <= response.status_code < 300:
                # An error answer is judged by its body, which ``describe`` reads as text: read()
                # keeps it on the response, where iter_bytes() would leave it unreadable.
                return response, response.read(), None
            raw = b"".join(response.iter_bytes())
        finally:
            response.close()
    return response, raw, timing_of(run, response).ttft_ms


def timing_of(run: FoundryRun, response: httpx.Response) -> Interaction:
    """The interaction the seam logged for ``response``: its timings are the run's one measure."""
    interaction = run.log.of(response.request)
    if interaction is None:  # every request of a check goes through the seam
        raise RuntimeError(f"no interaction was logged for {response.request.url}")
    return interaction


def evidence_property(record: Any, interactions: Iterable[Interaction]) -> None:
    """Attach interactions of other checks as this check's evidence (by sequence number)."""
    record("evidence", [ix.seq for ix in interactions][:20])


def apply_run_wide(verdict: RunWideVerdict, record: RecordProperty) -> None:
    """A run-wide verdict as this test's outcome (its note and evidence recorded)."""
    if verdict.note:
        record("note", verdict.note)
    if verdict.evidence:
        record("evidence", list(verdict.evidence))
    if verdict.status == "failed":
        raise CheckFailure(verdict.reason, verdict.codes)
    if verdict.status == "error":
        raise CannotJudge(verdict.reason.removeprefix("could not judge: "), verdict.codes)

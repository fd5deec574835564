"""Deployments: each configured one answers; an unknown name is a clear 404; which defaults exist."""

from __future__ import annotations

import pytest

from ..core.constants import DEFAULT_DEPLOYMENT_NAMES
from ..core.errors import CannotJudge, CheckFailure
from ..diagnosis import classify_error_body
from ..target.run import FoundryRun
from .helpers import (
    UNKNOWN_DEPLOYMENT,
    RecordProperty,
    describe,
    expect_success,
    message_body,
    send_primary,
)

check = pytest.mark.foundry_check


def _says_not_found(status: int, headers: dict[str, str], body: str) -> bool:
    signature = classify_error_body(status, headers, body)
    if signature.code == "DeploymentNotFound" or signature.type == "not_found_error":
        return True
    text = (signature.message or body).lower()
    return "not found" in text or "does not exist" in text


@check("DEP-SERVES")
def test_configured_deployment_answers(foundry_run: FoundryRun, deployment: str) -> None:
    """Every configured deployment answers a minimal request."""
    response = send_primary(foundry_run, "POST", "v1/messages", message_body(deployment))
    expect_success(foundry_run, response, f"deployment {deployment!r}")


@check("DEP-UNKNOWN")
def test_unknown_deployment_is_a_404(foundry_run: FoundryRun) -> None:
    """An unknown deployment name gives 404 "model/deployment not found"."""
    response = send_primary(
        foundry_run, "POST", "v1/messages", message_body(UNKNOWN_DEPLOYMENT), expects_error=True
    )
    if response.status_code == 404 and _says_not_found(404, dict(response.headers), response.text):
        if classify_error_body(404, dict(response.headers), response.text).code == "404":
            raise CheckFailure(
                f"the unknown deployment got Azure's generic 'Resource not found', which is what a "
                f"wrong base URL gets: {describe(foundry_run, response)}",
                ("wrong-base-path",),
            )
        return
    if response.status_code in (401, 403, 429):
        raise CannotJudge(f"the request itself was refused: {describe(foundry_run, response)}")
    raise CheckFailure(
        f"an unknown deployment name should give 404 'deployment not found', got "
        f"{describe(foundry_run, response)}"
    )


@check("DEP-INVENTORY")
def test_default_deployment_inventory(
    foundry_run: FoundryRun, record_property: RecordProperty
) -> None:
    """Which default deployment names exist on the resource (the Models API is unavailable)."""
    configured = set(foundry_run.settings.deployments)
    found: list[str] = sorted(configured & set(DEFAULT_DEPLOYMENT_NAMES))
    missing: list[str] = []
    unclear: list[str] = []
    for name in DEFAULT_DEPLOYMENT_NAMES:
        if name in configured:
            continue
        response = send_primary(
            foundry_run, "POST", "v1/messages", message_body(name), expects_error=True
        )
        if 200 <= response.status_code < 300:
            found.append(name)
        elif response.status_code == 404 and _says_not_found(
            404, dict(response.headers), response.text
        ):
            missing.append(name)
        else:
            unclear.append(f"{name}: {describe(foundry_run, response)}")
    record_property(
        "note",
        f"present: {', '.join(sorted(found)) or 'none'}; absent: {', '.join(missing) or 'none'}",
    )
    record_property("inventory", {"present": sorted(found), "absent": missing})
    if unclear:
        raise CheckFailure("the inventory could not tell for " + "; ".join(unclear))

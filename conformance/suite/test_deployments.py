"""Deployments: each one answers; an unknown name is a clear 404; which of the platform profile's
default names exist; and whether a deployment's model is deprecated or retired."""

from __future__ import annotations

import pytest

from ..core.errors import CannotJudge, CheckFailure
from ..diagnosis import classify_error_body
from ..target.discovery import DISCOVERY_CASE
from ..target.run import FoundryRun
from .helpers import (
    UNKNOWN_DEPLOYMENT,
    RecordProperty,
    describe,
    evidence_property,
    expect_success,
    json_body,
    message_body,
    send_primary,
    under_test,
)

check = pytest.mark.foundry_check


@check("DEP-SERVES")
def test_deployment_answers(foundry_run: FoundryRun, deployment: str) -> None:
    """Every deployment under test answers a minimal request."""
    deployment = under_test(foundry_run, deployment)
    response = send_primary(foundry_run, "POST", "v1/messages", message_body(deployment))
    expect_success(foundry_run, response, f"deployment {deployment!r}")


@check("DEP-UNKNOWN")
def test_unknown_deployment_is_a_404(foundry_run: FoundryRun) -> None:
    """An unknown deployment name gives 404 "model/deployment not found"."""
    response = send_primary(
        foundry_run, "POST", "v1/messages", message_body(UNKNOWN_DEPLOYMENT), expects_error=True
    )
    signature = classify_error_body(response.status_code, dict(response.headers), response.text)
    if response.status_code == 404 and signature.code == "404":
        raise CheckFailure(
            f"the unknown deployment got Azure's generic 'Resource not found', which is what a "
            f"wrong base URL gets: {describe(foundry_run, response)}",
            ("wrong-base-path",),
        )
    if response.status_code == 404 and _says_not_found(
        signature.code, signature.type, signature.message or response.text
    ):
        return
    if response.status_code in (401, 403, 429):
        raise CannotJudge(f"the request itself was refused: {describe(foundry_run, response)}")
    raise CheckFailure(
        f"an unknown deployment name should give 404 'deployment not found', got "
        f"{describe(foundry_run, response)}"
    )


def _says_not_found(code: str | None, kind: str | None, text: str) -> bool:
    if code == "DeploymentNotFound" or kind == "not_found_error":
        return True
    return "not found" in text.lower() or "does not exist" in text.lower()


@check("DEP-INVENTORY")
def test_default_deployment_inventory(
    foundry_run: FoundryRun, record_property: RecordProperty
) -> None:
    """Which of the platform profile's default deployment names exist on the resource (the
    Models API is not served): one free count_tokens request per name."""
    inventory = foundry_run.take_inventory()
    probes = [ix for ix in foundry_run.log.snapshot() if ix.case == DISCOVERY_CASE]
    evidence_property(record_property, probes)
    unclear = [f"{name}: {why}" for name, why in inventory.unclear]
    record_property(
        "note",
        f"present: {', '.join(inventory.found) or 'none'}; absent: "
        f"{', '.join(inventory.absent) or 'none'}"
        + (f"; could not tell: {len(unclear)}" if unclear else ""),
    )
    record_property(
        "inventory",
        {"present": list(inventory.found), "absent": list(inventory.absent), "unclear": unclear},
    )
    if not foundry_run.settings.deployments and inventory.nothing_found:
        raise CheckFailure(
            "none of the platform profile's default deployment names answers on this resource "
            f"(probed {len(inventory.probed)}): the run has no deployment to test; name yours "
            "with --deployment NAME",
            ("no-deployment-found",),
        )
    if unclear and not inventory.found:
        raise CannotJudge(
            f"the inventory could not tell for {len(unclear)} of {len(inventory.probed)} names: "
            + "; ".join(unclear[:3])
        )


@check("DEP-LIFECYCLE")
def test_deployment_model_is_current(
    foundry_run: FoundryRun, deployment: str, record_property: RecordProperty
) -> None:
    """The deployment's model is neither deprecated (an end of life announced) nor retired."""
    deployment = under_test(foundry_run, deployment)
    profile = foundry_run.settings.profile
    model = profile.model(deployment)
    if model is None:
        # A custom deployment name: the answer's `model` field names the model behind it.
        response = send_primary(foundry_run, "POST", "v1/messages", message_body(deployment))
        expect_success(foundry_run, response, f"deployment {deployment!r}")
        data = json_body(foundry_run, response)
        answered = data.get("model") if isinstance(data, dict) else None
        model = profile.model(answered if isinstance(answered, str) else None)
        if model is None:
            pytest.skip(
                f"the platform profile does not know the model of {deployment!r} (the answer "
                f"names {answered!r}): add it with --platform-profile to judge its lifecycle"
            )
    lifecycle = model.lifecycle(foundry_run.today)
    record_property("note", f"{deployment} is {model.id}: {lifecycle}")
    successor = f"; move to {model.successor}" if model.successor else ""
    if lifecycle == "retired":
        when = f"reached end of life on {model.end_of_life}" if model.end_of_life else "is retired"
        raise CheckFailure(f"{deployment} ({model.id}) {when}{successor}", ("model-retired",))
    if lifecycle == "deprecated":
        raise CheckFailure(
            f"{deployment} ({model.id}) is deprecated: end of life on {model.end_of_life}"
            f"{successor}",
            ("model-deprecated",),
        )

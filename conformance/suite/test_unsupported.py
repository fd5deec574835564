"""Unsupported endpoints: documented as not served on Foundry; serving them is documentation drift."""

from __future__ import annotations

import httpx
import pytest

from ..core.errors import CannotJudge, CheckFailure
from ..target.run import FoundryRun
from .helpers import describe, message_body, send_primary

check = pytest.mark.foundry_check


def _not_served(run: FoundryRun, response: httpx.Response, what: str) -> None:
    """Pass on a refusal of the route; fail on 2xx; cannot judge when the key itself was refused."""
    status = response.status_code
    if 200 <= status < 300:
        raise CheckFailure(
            f"{what} is served ({describe(run, response)}); the documentation says Foundry does "
            "not offer it — the documentation is out of date, or a proxy answers for Foundry",
            ("unsupported-endpoint-served",),
        )
    if status in (401, 403, 429):
        raise CannotJudge(f"{what}: the request itself was refused: {describe(run, response)}")


@check("UNS-MODELS")
def test_models_api_is_not_served(foundry_run: FoundryRun) -> None:
    """`GET /v1/models` is not served (so deployments are listed by DEP-INVENTORY instead)."""
    response = send_primary(foundry_run, "GET", "v1/models", expects_error=True)
    _not_served(foundry_run, response, "GET /v1/models")


@check("UNS-BATCHES")
def test_message_batches_api_is_not_served(
    foundry_run: FoundryRun, primary_deployment: str
) -> None:
    """`/v1/messages/batches` is not served, to create nor to list."""
    batch = {
        "requests": [{"custom_id": "conformance-1", "params": message_body(primary_deployment)}]
    }
    create = send_primary(foundry_run, "POST", "v1/messages/batches", batch, expects_error=True)
    _not_served(foundry_run, create, "POST /v1/messages/batches")
    listing = send_primary(foundry_run, "GET", "v1/messages/batches", expects_error=True)
    _not_served(foundry_run, listing, "GET /v1/messages/batches")


@check("UNS-ADMIN")
def test_admin_api_is_not_served(foundry_run: FoundryRun) -> None:
    """`/v1/organizations/*` (the Admin API) is not served."""
    response = send_primary(foundry_run, "GET", "v1/organizations/users", expects_error=True)
    _not_served(foundry_run, response, "GET /v1/organizations/users")

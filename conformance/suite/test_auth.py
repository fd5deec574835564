"""Authentication: both key headers, Entra ID, and every documented refusal."""

from __future__ import annotations

import httpx
import pytest

from ..config import AuthMode
from ..core.errors import CheckFailure
from ..diagnosis import classify_error_body
from ..target.credentials import BearerTokenAuth
from ..target.run import FoundryRun
from .helpers import describe, expect_refusal, expect_success, message_body, send

check = pytest.mark.foundry_check


def _post_message(
    run: FoundryRun,
    deployment: str,
    auth: httpx.Auth | None,
    label: str,
    expects_error: bool = False,
) -> httpx.Response:
    return send(
        run,
        "POST",
        "v1/messages",
        auth=auth,
        label=label,
        body=message_body(deployment),
        expects_error=expects_error,
    )


@check("AUTH-X-API-KEY")
def test_key_in_x_api_key_header_is_accepted(
    foundry_run: FoundryRun, primary_deployment: str
) -> None:
    """The key in `x-api-key` alone is accepted."""
    foundry_run.require_mode(AuthMode.X_API_KEY)
    response = _post_message(
        foundry_run, primary_deployment, foundry_run.key_auth("x-api-key"), "x-api-key"
    )
    expect_success(foundry_run, response, "the key in x-api-key was not accepted")


@check("AUTH-API-KEY")
def test_key_in_api_key_header_is_accepted(
    foundry_run: FoundryRun, primary_deployment: str
) -> None:
    """The key in `api-key` alone is accepted, as the platform guide documents."""
    foundry_run.require_mode(AuthMode.API_KEY)
    response = _post_message(
        foundry_run, primary_deployment, foundry_run.key_auth("api-key"), "api-key"
    )
    expect_success(foundry_run, response, "the key in api-key was not accepted")


@check("AUTH-ENTRA")
def test_entra_token_is_accepted(foundry_run: FoundryRun, primary_deployment: str) -> None:
    """An Entra ID bearer token for the configured scope is accepted."""
    foundry_run.require_mode(AuthMode.ENTRA)
    response = _post_message(foundry_run, primary_deployment, foundry_run.entra_auth(), "entra")
    expect_success(foundry_run, response, "the Entra ID token was not accepted")


@check("AUTH-ENTRA-ALT-SCOPE")
def test_token_for_the_other_scope_is_accepted(
    foundry_run: FoundryRun, primary_deployment: str
) -> None:
    """A token for the other known scope is accepted too (both are reported to work)."""
    foundry_run.require_mode(AuthMode.ENTRA)
    scope = foundry_run.alternate_scope()
    auth = foundry_run.entra_auth(scope)
    response = _post_message(foundry_run, primary_deployment, auth, "entra-alt-scope")
    expect_success(foundry_run, response, f"a token for {scope} was not accepted")


@check("AUTH-MISSING")
def test_request_without_credentials_is_refused(
    foundry_run: FoundryRun, primary_deployment: str
) -> None:
    """A request without credentials gives 401."""
    response = _post_message(foundry_run, primary_deployment, None, "none", expects_error=True)
    expect_refusal(foundry_run, response, (401,), "a request without credentials")


@check("AUTH-BAD-KEY")
@pytest.mark.parametrize("header", ["x-api-key", "api-key"])
def test_wrong_key_is_refused_with_correlation_ids(
    foundry_run: FoundryRun, primary_deployment: str, header: str
) -> None:
    """A wrong key gives 401 in each header variant, with an `apim-request-id` to quote."""
    auth = foundry_run.bad_key_auth(header)
    response = _post_message(foundry_run, primary_deployment, auth, "bad-key", expects_error=True)
    if response.status_code == 403:
        signature = classify_error_body(403, dict(response.headers), response.text)
        if signature.code == "AuthenticationTypeDisabled":
            pytest.skip(
                "key authentication is disabled on the resource (403 AuthenticationTypeDisabled): "
                "a wrong key cannot be told from a right one"
            )
    expect_refusal(foundry_run, response, (401,), f"a wrong key in {header}")
    if "apim-request-id" not in response.headers:
        raise CheckFailure(
            f"the 401 for a wrong key in {header} carries no apim-request-id: "
            f"{describe(foundry_run, response)}",
            ("missing-apim-request-id",),
        )


@check("AUTH-BAD-TOKEN")
def test_malformed_bearer_token_is_refused(
    foundry_run: FoundryRun, primary_deployment: str
) -> None:
    """A malformed bearer token gives 401."""
    auth = BearerTokenAuth(lambda: "not-a-jwt")
    response = _post_message(foundry_run, primary_deployment, auth, "bad-token", expects_error=True)
    expect_refusal(foundry_run, response, (401,), "a malformed bearer token")


@check("AUTH-KEY-AS-BEARER")
def test_key_sent_as_bearer_token_is_rejected(
    foundry_run: FoundryRun, primary_deployment: str
) -> None:
    """The key sent as `Authorization: Bearer <key>` (a common client mistake) is rejected."""
    auth = foundry_run.key_auth("bearer")
    response = _post_message(
        foundry_run, primary_deployment, auth, "key-as-bearer", expects_error=True
    )
    expect_refusal(foundry_run, response, (401, 403), "the key sent as a bearer token")


@check("AUTH-RBAC")
def test_principal_without_role_is_refused(
    foundry_run: FoundryRun, primary_deployment: str
) -> None:
    """A token of a principal without a data-plane role is refused with `PermissionDenied`."""
    auth = foundry_run.unprivileged_auth()
    response = _post_message(
        foundry_run, primary_deployment, auth, "rbac-probe", expects_error=True
    )
    expect_refusal(foundry_run, response, (401, 403), "a token without a data-plane role")
    signature = classify_error_body(response.status_code, dict(response.headers), response.text)
    if signature.code != "PermissionDenied":
        raise CheckFailure(
            f"the refusal does not say PermissionDenied (roles that grant access: "
            f"{', '.join(foundry_run.settings.profile.role_names)}): "
            f"{describe(foundry_run, response)}"
        )

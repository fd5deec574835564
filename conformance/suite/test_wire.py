"""The current wire: the API versions clients send, beta requests keyed on the header alone, and
the hosting option as far as the wire shows it — all judged against the platform profile."""

from __future__ import annotations

import httpx
import pytest

from ..core.errors import CannotJudge, CheckFailure
from ..diagnosis import classify_error_body
from ..target.run import FoundryRun
from .helpers import (
    RecordProperty,
    count_tokens_body,
    describe,
    expect_success,
    refuse_to_judge_throttling,
    send_primary,
)

check = pytest.mark.foundry_check

MALFORMED_VERSION = "not-a-version"
# A beta feature whose request field is free to send: context editing, on count_tokens.
BETA = "context-management-2025-06-27"
BETA_FIELD = {"context_management": {"edits": [{"type": "clear_tool_uses_20250919"}]}}


@check("API-VERSION")
def test_api_versions_clients_send_are_accepted(
    foundry_run: FoundryRun, api_version: str, record_property: RecordProperty
) -> None:
    """Each ``anthropic-version`` the profile lists as sent by clients is accepted."""
    profile = foundry_run.settings.profile
    known = next(v for v in profile.api_versions if v.value == api_version)
    body = count_tokens_body(foundry_run.primary_deployment)
    response = send_primary(
        foundry_run, "POST", "v1/messages/count_tokens", body, anthropic_version=api_version
    )
    sent_by = ", ".join(known.clients) or "clients"
    if 200 <= response.status_code < 300:
        was = "" if known.provenance.confidence != "unknown" else " (the profile had no report)"
        record_property("note", f"anthropic-version {api_version} accepted{was}; sent by {sent_by}")
        return
    refuse_to_judge_throttling(foundry_run, response)
    signature = classify_error_body(response.status_code, dict(response.headers), response.text)
    codes = ("api-version-refused",) if response.status_code == 400 else ()
    raise CheckFailure(
        f"anthropic-version {api_version} (sent by {sent_by}) is refused: "
        f"{describe(foundry_run, response)}"
        + (f" — {signature.message}" if signature.message and codes else ""),
        codes,
    )


@check("API-VERSION-MALFORMED")
def test_malformed_api_version_is_refused(foundry_run: FoundryRun) -> None:
    """A malformed ``anthropic-version`` gets 400 in the Anthropic error shape."""
    body = count_tokens_body(foundry_run.primary_deployment)
    response = send_primary(
        foundry_run,
        "POST",
        "v1/messages/count_tokens",
        body,
        anthropic_version=MALFORMED_VERSION,
        expects_error=True,
    )
    refuse_to_judge_throttling(foundry_run, response)
    if response.status_code == 400:
        return
    raise CheckFailure(
        f"anthropic-version {MALFORMED_VERSION!r} should be refused with 400, got "
        f"{describe(foundry_run, response)}",
        ("unexpected-status",),
    )


@check("API-BETA-HEADER")
def test_beta_request_works_with_the_header_alone(
    foundry_run: FoundryRun, record_property: RecordProperty
) -> None:
    """A request with a beta field and only the ``anthropic-beta`` header (no ``?beta=true``,
    as anthropic 2.14 sends it) is accepted (count_tokens: free)."""
    body = {**count_tokens_body(foundry_run.primary_deployment), **BETA_FIELD}
    response = send_primary(
        foundry_run, "POST", "v1/messages/count_tokens", body, headers={"anthropic-beta": BETA}
    )
    if response.status_code == 400:
        raise CheckFailure(
            f"a beta request with only `anthropic-beta: {BETA}` was refused (clients that no "
            f"longer add ?beta=true, such as anthropic 2.14, get this): "
            f"{describe(foundry_run, response)}",
            ("beta-header-refused",),
        )
    expect_success(foundry_run, response, f"a beta request with `anthropic-beta: {BETA}`")
    record_property("note", f"accepted with `anthropic-beta: {BETA}` and no ?beta=true")


@check("HOST-OPTION")
def test_hosting_option_is_one_the_profile_offers(
    foundry_run: FoundryRun, record_property: RecordProperty
) -> None:
    """The APIs only Hosted on Anthropic serves (``/files``, ``/skills``: listing, free) tell the
    hosting option; it must be one the profile offers the deployment's model."""
    profile = foundry_run.settings.profile
    served: dict[str, bool] = {}
    for route in profile.hosted_routes:
        response = send_primary(foundry_run, route.method, route.path, expects_error=True)
        served[route.name] = _served(foundry_run, response, route.path)
    served_apis = {name for name, is_served in served.items() if is_served}
    options = [h for h in profile.hosting.values() if set(h.apis) & set(served) == served_apis]
    shown = ", ".join(f"/{name}: {'served' if s else 'not served'}" for name, s in served.items())
    if len(options) != 1:
        raise CheckFailure(
            f"the wire matches no single hosting option of the profile ({shown})",
            ("hosting-option-mismatch",),
        )
    option = options[0]
    deployment = foundry_run.primary_deployment
    model = profile.model(deployment)
    offered = ", ".join(profile.hosting[h].name for h in model.hosting) if model else "unknown"
    record_property("hosting_option", option.id)
    record_property("note", f"{option.name} ({shown}); {deployment} is offered on: {offered}")
    if model is not None and model.hosting and option.id not in model.hosting:
        raise CheckFailure(
            f"the resource answers as {option.name} ({shown}), but the profile offers "
            f"{model.id} only on {offered}",
            ("hosting-option-mismatch",),
        )


def _served(run: FoundryRun, response: httpx.Response, path: str) -> bool:
    if 200 <= response.status_code < 300:
        return True
    if response.status_code == 404:
        return False
    refuse_to_judge_throttling(run, response)
    raise CannotJudge(f"GET {path} answered neither a listing nor 404: {describe(run, response)}")

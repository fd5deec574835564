"""The rules that explain one exchange: from its status, body, headers and auth label to codes.

``explain`` applies them in order of precedence: a transport failure first, then what the status
and body say (credentials in ``rules_auth``), then the headers every answer must or must not carry.
A request meant to be refused (``expects_error``) is judged by what a refusal should look like,
not by the refusal itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from conformance.core.interactions import APIM_REQUEST_ID_HEADER, REQUEST_ID_HEADER, Interaction
from conformance.core.platform import Model

from ..judge.errors import (
    ErrorSignature,
    classify_error_body,
    json_object,
    split_excerpt,
    stream_errors,
)
from .context import DiagnosisContext
from .facts import KEY_LABELS, RunFacts, requested_model
from .info import DiagnosisCode
from .routes import is_messages_route, suggested_base_url, unsupported_api
from .rules_auth import Observation, forbidden, missing_role, unauthorized, where
from .transport import classify_transport_error

# Labels of requests whose credential is meant to be refused: a 2xx means nobody checked it.
_PROBE_LABELS = frozenset({"none", "bad-key", "bad-token", "rbac-probe"})
_STREAM_ERROR_CODES: Mapping[str | None, DiagnosisCode] = {
    "overloaded_error": "overloaded",
    "rate_limit_error": "rate-limited",
}


def stream_error_code(error_type: str | None) -> DiagnosisCode:
    """The diagnosis of an ``error`` event inside a 200 stream, by its ``error.type``."""
    return _STREAM_ERROR_CODES.get(error_type, "server-error")


def explain(ix: Interaction, ctx: DiagnosisContext, facts: RunFacts) -> list[Observation]:
    """Every observation one interaction supports, at most one per code, strongest cause first."""
    found: list[Observation] = []
    if ix.error_class:
        message = ix.error_message or ""
        code = classify_transport_error(ix.error_class, message)
        failure = f"{ix.error_class}: {message}" if message else ix.error_class
        found.append(Observation(code, f"{where(ix)}: {failure}"))
    if ix.status is not None:
        headers = {name.lower(): value for name, value in ix.response_headers.items()}
        if 200 <= ix.status < 300:
            found += _success(ix)
            anthropic_layer, body_request_id = True, None
        else:
            sig = classify_error_body(ix.status, headers, ix.response_body)
            found += _refusal(ix, sig, ctx, facts)
            anthropic_layer, body_request_id = sig.layer == "anthropic", sig.request_id_in_body
        prefix = ctx.profile.rate_limit_header_prefix
        found += _headers(ix, headers, anthropic_layer, body_request_id, prefix)
    if ix.echoed:
        answer = f" → {ix.status}" if ix.status is not None else ""
        places = ", ".join(ix.echoed)
        # A hostile server may send the run's key back to a request that presented none.
        whose = (
            "the credential it presented"
            if ix.auth not in (None, "none")
            else "a credential of the run"
        )
        detail = f"{where(ix)}{answer}: {whose} came back in {places}"
        found.append(Observation("credential-echoed", detail))
    unique: dict[DiagnosisCode, Observation] = {}
    for observation in found:
        unique.setdefault(observation.code, observation)
    return list(unique.values())


def _success(ix: Interaction) -> list[Observation]:
    found: list[Observation] = []
    seen = f"{where(ix)} → {ix.status}"
    if ix.expects_error:
        api = unsupported_api(ix.path)
        if api is not None:
            detail = f"{seen}: {api} is documented as unsupported on Foundry"
            found.append(Observation("unsupported-endpoint-served", detail))
        elif ix.auth in _PROBE_LABELS:
            found.append(Observation("auth-not-enforced", f"{seen}: a refusal was expected"))
        # Any other success where a refusal may come (an unknown deployment, an inventory probe)
        # is judged by the check that sent it, which knows whether a success is wrong.
    if ix.streamed:
        for sig in stream_errors(ix.response_body):
            found.append(
                Observation(
                    stream_error_code(sig.type),
                    f"{seen}, then a mid-stream error: {sig.describe()}",
                )
            )
    elif _should_be_json(ix) and not _is_json_object(ix.response_body):
        found.append(Observation("malformed-response", f"{seen}: {_excerpt(ix.response_body)}"))
    return found


def _refusal(
    ix: Interaction, sig: ErrorSignature, ctx: DiagnosisContext, facts: RunFacts
) -> list[Observation]:
    status = ix.status or 0
    seen = f"{where(ix)} → {status} {sig.describe()}"
    if sig.code is not None and sig.code == ctx.profile.errors["backend_auth"].code:
        return [Observation("backend-auth-failed", seen)]
    if status >= 500:
        overloaded = status == 529 or sig.type == "overloaded_error"
        return [Observation("overloaded" if overloaded else "server-error", seen)]
    if not 400 <= status < 500:
        location = ix.response_headers.get("location")
        return [Observation("unexpected-status", f"{seen}{f' to {location}' if location else ''}")]
    # An expected refusal may lack a body, but one that is not JSON did not come from Foundry.
    bad_body = sig.layer in ("html", "unparseable") or (
        sig.layer == "empty" and not ix.expects_error
    )
    found = [] if not bad_body or sig.truncated else [_malformed(ix, sig, seen)]
    if ix.expects_error:
        return found
    explained = _client_error(ix, sig, ctx, facts)
    if explained is None and not found:
        explained = [Observation("unexpected-status", seen)]
    return [*(explained or []), *found]


def _client_error(
    ix: Interaction, sig: ErrorSignature, ctx: DiagnosisContext, facts: RunFacts
) -> list[Observation] | None:
    """The 4xx rules; None when none of them explains the answer."""
    status = ix.status
    if sig.code == "PermissionDenied":
        return [missing_role(ix, sig, ctx)]
    model = ctx.profile.model(requested_model(ix))
    if status == 401 and model is not None and model.entra_only and ix.auth in KEY_LABELS:
        detail = f"{where(ix)} → 401 {sig.describe()}; {model.id} accepts Entra ID only"
        return [Observation("entra-only-model", detail)]
    if status == 401:
        return unauthorized(ix, sig, ctx, facts)
    if status == 403:
        return forbidden(ix, sig, ctx)
    if status == 404:
        return _not_found(ix, sig, ctx, facts)
    if status == 429:
        return [_rate_limited(ix, sig, ctx)]
    refused = ctx.profile.refused_features(sig.message or "") if status == 400 else None
    if refused is not None:
        return [Observation("feature-not-available", _refused_detail(ix, sig, refused, ctx))]
    return None


def _refused_detail(
    ix: Interaction, sig: ErrorSignature, features: tuple[str, ...], ctx: DiagnosisContext
) -> str:
    """The refusal, and what the platform profile says of each feature per hosting option."""
    said = []
    for feature in features:
        per_option = [
            f"{option.name}: {option.features[feature].status}"
            for option in ctx.profile.hosting.values()
            if feature in option.features
        ]
        said.append(f"{feature} ({'; '.join(per_option) or 'not in the platform profile'})")
    return f"{where(ix)} → 400 {sig.describe()}; refused: {', '.join(said)}"


def _not_found(
    ix: Interaction, sig: ErrorSignature, ctx: DiagnosisContext, facts: RunFacts
) -> list[Observation] | None:
    seen = f"{where(ix)} → 404 {sig.describe()}"
    message = (sig.message or "").lower()
    deployment_gone = "deployment" in message and ("not found" in message or "not exist" in message)
    if (
        sig.code == "DeploymentNotFound"
        or (sig.type == "not_found_error" and ("model" in message or "deployment" in message))
        or deployment_gone
    ):
        name = requested_model(ix)
        known = ctx.profile.model(name)
        if known is not None and known.lifecycle(ctx.now.date()) == "retired":
            return [Observation("model-retired", f"{seen}; {_retirement(known)}")]
        detail = (
            f"{seen}; deployment name sent: {name!r}{_spelled(name, ctx, facts)}" if name else seen
        )
        return [Observation("deployment-not-found", detail)]
    if not is_messages_route(ix.path):
        return None
    base = suggested_base_url(ctx.base_url or ix.url)
    if sig.code == "api_not_supported":
        return [Observation("api-not-supported", f"{seen}; call Claude through {base}v1/messages")]
    if sig.code == "404" or "resource not found" in message:
        return [Observation("wrong-base-path", f"{seen}; use the base URL {base}")]
    return None


def _spelled(name: str, ctx: DiagnosisContext, facts: RunFacts) -> str:
    """The exact name to use when ``name`` differs only in case from one the run found (or,
    failing that, from the default deployment name of the model it names)."""
    served = facts.served_in_other_case(name)
    if served is not None:
        return f"; {served!r}, the same name in another case, answered in this run: use {served!r}"
    model = ctx.profile.model(name)
    if model is not None and model.id != name and model.id.casefold() == name.casefold():
        return f"; the default deployment name of {model.id} is {model.id!r}, in lower case"
    return ""


def _retirement(model: Model) -> str:
    when = f"reached end of life on {model.end_of_life}" if model.end_of_life else "is retired"
    move = f"; move to {model.successor}" if model.successor else ""
    return f"{model.id} {when}{move}"


def _rate_limited(ix: Interaction, sig: ErrorSignature, ctx: DiagnosisContext) -> Observation:
    template = ctx.profile.errors["rate_limited"].text
    zero = template.split("{limit}")[0] + "0 per"
    if zero.lower() in (sig.message or "").lower():
        return Observation("zero-quota", f"{where(ix)} → 429 {sig.describe()}")
    waits = []
    if sig.wait_seconds is not None:
        waits.append(f"the message asks to wait {sig.wait_seconds:g} s")
    if sig.retry_after_seconds is not None:
        waits.append(f"retry-after asks for {sig.retry_after_seconds:g} s")
    else:
        waits.append("no retry-after header")
    if sig.advised_wait_seconds is None:
        waits.append("no wait advertised: back off exponentially")
    return Observation("rate-limited", f"{where(ix)} → 429 {sig.describe()}; {'; '.join(waits)}")


def _headers(
    ix: Interaction,
    headers: Mapping[str, str],
    anthropic_layer: bool,
    body_request_id: str | None,
    rate_limit_prefix: str,
) -> list[Observation]:
    found: list[Observation] = []
    seen = f"{where(ix)} → {ix.status}"
    leaked = sorted(name for name in headers if name.startswith(rate_limit_prefix))
    if leaked:
        found.append(
            Observation("rate-limit-headers-present", f"{seen} carried {', '.join(leaked)}")
        )
    # A gateway error never reached Anthropic, so only its own apim-request-id can exist.
    if anthropic_layer and REQUEST_ID_HEADER not in headers:
        in_body = f" (its body carries request_id {body_request_id})" if body_request_id else ""
        found.append(Observation("missing-request-id", f"{seen} without request-id{in_body}"))
    if APIM_REQUEST_ID_HEADER not in headers:
        found.append(Observation("missing-apim-request-id", f"{seen} without apim-request-id"))
    return found


def _malformed(ix: Interaction, sig: ErrorSignature, seen: str) -> Observation:
    body = _excerpt(ix.response_body) if sig.layer != "empty" else "an empty body"
    return Observation("malformed-response", f"{seen}: {body}")


def _should_be_json(ix: Interaction) -> bool:
    # An unread or cut-off body proves nothing; 204 and HEAD have none by definition.
    return ix.complete and ix.status != 204 and ix.method.upper() != "HEAD"


def _is_json_object(body: str) -> bool:
    text, truncated = split_excerpt(body)
    if truncated:
        return text.lstrip().startswith("{")
    return json_object(text) is not None


def _excerpt(body: str, limit: int = 160) -> str:
    flat = " ".join(body.split())
    return repr(flat if len(flat) <= limit else f"{flat[:limit]}…")

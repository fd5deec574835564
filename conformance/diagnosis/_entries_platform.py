"""Catalog entries: the platform as it stands in the profile — model lifecycle, API versions and
betas, hosting options, per-model request rules, backend authentication, quota, Entra-only models.

``${name}`` placeholders are platform facts, filled from the run's platform profile
(``info.platform_facts``); ``{resource}`` is the user's own resource name, shown as it is.
"""

from __future__ import annotations

from ..core.links import MS_QUOTAS, MS_USE_CLAUDE, PLATFORM_GUIDE
from .info import DiagnosisInfo

PLATFORM_ENTRIES: tuple[DiagnosisInfo, ...] = (
    DiagnosisInfo(
        code="model-deprecated",
        title="The deployment's model is deprecated",
        severity="warning",
        cause="The model behind the deployment has an announced end of life (the date is in the "
        "details): it still answers today, but stops on that date, and the official SDK warns "
        "on every call to it.",
        remedy="Create a deployment of the successor named in the details (or of another current "
        "model of the platform profile), move your clients to it, and delete the old one before "
        "its end of life.",
        guide_section="API model IDs and deployments",
        doc_url=MS_USE_CLAUDE,
    ),
    DiagnosisInfo(
        code="model-retired",
        title="The deployment's model is retired",
        severity="blocker",
        cause="The model behind the deployment (or the model a deployment name refers to) has "
        "passed its end of life: requests to it fail, typically with 404 deployment not found "
        "— which reads like a typo but is not one.",
        remedy="Deploy the successor named in the details (or another current model of the "
        "platform profile) and point your clients at the new deployment name.",
        guide_section="API model IDs and deployments",
        doc_url=MS_USE_CLAUDE,
    ),
    DiagnosisInfo(
        code="no-deployment-found",
        title="None of the default deployment names exists on the resource",
        severity="blocker",
        cause="No --deployment was given, so the run probed every default deployment name of the "
        "platform profile (free count_tokens requests; Foundry serves no Models API) and none "
        "answered: the resource's deployments have custom names, or none is created yet.",
        remedy="Name the deployment to test with --deployment NAME (Foundry portal › Models + "
        "endpoints lists them), or create one (its default name is the model ID, e.g. "
        "${example_model}).",
        guide_section="Provisioning › Create a Foundry deployment",
        doc_url=PLATFORM_GUIDE,
    ),
    DiagnosisInfo(
        code="api-version-refused",
        title="An anthropic-version that clients send is refused",
        severity="warning",
        cause="The endpoint answered 400 to a request carrying an `anthropic-version` that "
        "current clients send (the details name the version and the clients: the official "
        "SDKs send ${sdk_version}, the docs and Claude Code ${documented_version}). Clients "
        "that send it fail on every request.",
        remedy="Pin `anthropic-version: ${documented_version}` in the client (the Python SDK: "
        "default_headers={'anthropic-version': '${documented_version}'}) until the endpoint "
        "accepts the newer version, and open a ticket with the request IDs.",
        guide_section="Authentication › API key authentication",
        doc_url=PLATFORM_GUIDE,
    ),
    DiagnosisInfo(
        code="beta-header-refused",
        title="A beta request without ?beta=true is refused",
        severity="warning",
        cause="A request that used a beta feature with only the `anthropic-beta` header — as "
        "anthropic ${python_sdk} sends beta calls, without the `?beta=true` query older "
        "clients and Claude Code add — was refused with 400.",
        remedy="Until the endpoint keys beta features on the header, add `?beta=true` "
        "(extra_query={'beta': 'true'} in the Python SDK); report it with the request IDs.",
        guide_section="Supported features",
        doc_url=PLATFORM_GUIDE,
    ),
    DiagnosisInfo(
        code="hosting-option-mismatch",
        title="The hosting option the wire shows is not one the profile offers the model",
        severity="info",
        cause="Whether the resource serves the Files and Skills APIs tells its hosting option "
        "(they are served only Hosted on Anthropic infrastructure). What it showed is not a "
        "hosting option the platform profile lists for the deployment's model (details), or "
        "matches none at all: the profile is out of date, or a gateway in front changes routes.",
        remedy="Check the model version of the deployment in the portal (Version 1: Hosted on "
        "Anthropic; Version 2: Hosted on Azure). If the profile is out of date, extend it with "
        "--platform-profile; otherwise report it with the request IDs.",
        guide_section="Preview",
        doc_url=MS_USE_CLAUDE,
    ),
    DiagnosisInfo(
        code="model-rule-mismatch",
        title="The model does not follow its documented request rules",
        severity="warning",
        cause="A request rule the platform profile documents for the model (thinking types, "
        "effort levels, mid-conversation system messages, maximum output) did not hold: the "
        "endpoint refused what is documented as accepted, or accepted what is documented as "
        "refused (details).",
        remedy="A refusal of what is documented breaks clients that follow the docs: open a "
        "ticket with the request IDs. An acceptance of what is documented as refused means the "
        "documentation (and the profile) is out of date: extend the profile with "
        "--platform-profile and do not rely on it until it is documented.",
        guide_section="API model IDs and deployments",
        doc_url=MS_USE_CLAUDE,
    ),
    DiagnosisInfo(
        code="backend-auth-failed",
        title="Foundry could not authenticate to the model's backend",
        severity="blocker",
        cause="The platform answered `${backend_auth_code}` ('Failed to authenticate to backend "
        "endpoint'): a failure between Azure and the model's backend, not of your credential. "
        "It has been reported as intermittent.",
        remedy="Retry with backoff; if it persists, open an Azure support ticket quoting the "
        "request ID the message carries (in the details) and the apim-request-id.",
        guide_section="Troubleshooting",
        doc_url=MS_USE_CLAUDE,
    ),
    DiagnosisInfo(
        code="zero-quota",
        title="The subscription has no quota for this model",
        severity="blocker",
        cause="The 429 names a limit of 0: the subscription's quota for the model is zero, which "
        "is the default for every model on Free Trial and for preview models on pay-as-you-go "
        "(details). Subscription types Claude is not offered on at all: "
        "${unsupported_subscriptions}.",
        remedy="Request quota for the model (Azure portal › Foundry › Quotas), or use a "
        "subscription type and model that have quota; waiting does not help.",
        guide_section="Troubleshooting › Rate limits",
        doc_url=MS_QUOTAS,
    ),
    DiagnosisInfo(
        code="entra-only-model",
        title="The model accepts Entra ID only",
        severity="blocker",
        cause="The deployment's model is offered with Microsoft Entra ID authentication only "
        "(the details name it), so every key is refused however valid.",
        remedy="Use Entra ID for this deployment: a token for ${default_scope} (`--auth entra`, "
        "or azure_ad_token_provider in the SDK) and a data-plane role (${roles}).",
        guide_section="Microsoft Entra authentication",
        doc_url=MS_USE_CLAUDE,
    ),
    DiagnosisInfo(
        code="documented-feature-refused",
        title="A capability documented as supported is refused",
        severity="warning",
        cause="The platform profile documents the capability as supported on every hosting "
        "option that offers the deployment's model, but the deployment refused the probe's "
        "request with 400 (the details quote the refusal and what each source says). Clients "
        "that follow the documentation fail on it.",
        remedy="Open a support ticket (the support ticket lists these cells with their "
        "request-id and apim-request-id); until it is fixed, leave the feature out of requests "
        "to this deployment, or use a deployment of the model's other hosting option where the "
        "feature works.",
        guide_section="Supported features",
        doc_url=PLATFORM_GUIDE,
    ),
    DiagnosisInfo(
        code="unsupported-feature-accepted",
        title="A capability documented as unsupported is accepted",
        severity="info",
        cause="The platform profile documents the capability as unsupported on every hosting "
        "option that offers the deployment's model, but the deployment accepted the probe's "
        "request and honoured it: the documentation (and the profile) is out of date, or a "
        "gateway in front answers differently.",
        remedy="Do not depend on it until it is documented; extend the platform profile with "
        "--platform-profile (the feature's status on this hosting option) so that later runs "
        "expect it, and report the drift with the request IDs.",
        guide_section="Supported features",
        doc_url=PLATFORM_GUIDE,
    ),
    DiagnosisInfo(
        code="feature-not-honoured",
        title="A capability is accepted but not honoured",
        severity="warning",
        cause="The deployment answered 200 to a request that used the capability, but the "
        "answer lacks what the capability produces (no thinking block, text that is not JSON "
        "for the requested schema, no citation, no cache tokens…; the details say which). A "
        "client sees no error and silently gets something else: the worst case for a user.",
        remedy="Do not rely on the capability on this deployment: validate the answers "
        "yourself (parse and validate JSON, check for the blocks you need). Report it with the "
        "request IDs: a gateway in front may strip the field, or the platform may ignore it.",
        guide_section="Supported features",
        doc_url=PLATFORM_GUIDE,
    ),
)

"""Catalog entries about who may call the endpoint: keys, tokens, roles and network rules."""

from __future__ import annotations

from ..core.links import (
    MS_AUTHN_AUTHZ,
    MS_DISABLE_LOCAL_AUTH,
    MS_USE_CLAUDE,
    MS_VIRTUAL_NETWORKS,
    PLATFORM_GUIDE,
    SDK_API_KEY_ISSUE,
)
from .info import DiagnosisInfo, Variant

_GUIDE_401 = "Troubleshooting › Authentication errors › 401 Unauthorized / Invalid API key"
_GUIDE_403 = "Troubleshooting › Authentication errors › 403 Forbidden"
_GUIDE_KEYS = "Authentication › API key authentication"
_GUIDE_ENTRA = "Microsoft Entra authentication"

ACCESS_ENTRIES: tuple[DiagnosisInfo, ...] = (
    DiagnosisInfo(
        code="invalid-api-key",
        title="The API key is not valid for this resource",
        severity="blocker",
        cause="Azure's gateway refused the key in every header it was sent in (401 'Access denied "
        "due to invalid subscription key or wrong API endpoint'): the key is wrong, was "
        "regenerated, belongs to another resource, or the host is not this resource's. A "
        "private-endpoint-only resource reached through its public host has been seen to give "
        "this same 401.",
        remedy="Copy a current key from Foundry portal › your resource › Keys and Endpoint into "
        "ANTHROPIC_FOUNDRY_API_KEY (no stray whitespace or quotes) and check that the endpoint "
        "shown there matches the base URL. If the resource accepts only private-endpoint "
        "traffic, run from inside its network.",
        guide_section=_GUIDE_401,
        doc_url=PLATFORM_GUIDE,
    ),
    DiagnosisInfo(
        code="api-key-header-rejected",
        title="The key is refused in the api-key header but accepted in x-api-key",
        severity="warning",
        cause="The same key authenticated in `x-api-key` and got 401 in `api-key`. The guide "
        "documents both headers, but the endpoint authenticates `x-api-key`: clients that send "
        "only `api-key` (anthropic Python SDK 0.107.0, tools set up for Azure OpenAI, the "
        "guide's own curl example) are refused.",
        remedy="Send the key in `x-api-key`: upgrade the anthropic SDK to 0.107.1 or later (it "
        "sends both headers); in curl and other clients replace `api-key: …` with "
        "`x-api-key: …`.",
        guide_section=_GUIDE_KEYS,
        doc_url=SDK_API_KEY_ISSUE,
    ),
    DiagnosisInfo(
        code="x-api-key-header-rejected",
        title="The key is refused in the x-api-key header but accepted in api-key",
        severity="blocker",
        cause="The same key authenticated in `api-key` and got 401 in `x-api-key`, the header "
        "the official SDKs authenticate with (the TypeScript, C# and Java SDKs send nothing "
        "else). Field reports tie this to other hosts (such as {resource}.openai.azure.com) or "
        "to a gateway in front that only forwards Azure's header.",
        remedy="Use the https://{resource}.services.ai.azure.com/anthropic/ host; if a gateway "
        "(API Management) sits in front, make it forward `x-api-key`. Until then clients must "
        "send `api-key` too (the anthropic Python SDK sends both). Report it: the documentation "
        "says both headers work.",
        guide_section=_GUIDE_KEYS,
        doc_url=PLATFORM_GUIDE,
    ),
    DiagnosisInfo(
        code="invalid-token",
        title="The Entra ID token was refused",
        severity="blocker",
        cause="The gateway answered 401 to a bearer token whose claims the run could not read "
        "(not a JWT it could decode, or a token it did not see), so whether it has expired or "
        "names another audience is unknown. Those are the usual causes; it may also be issued "
        "by another tenant, be no access token for this API, be altered, or not be valid yet.",
        remedy="Read the token's claims locally (its middle segment is base64url JSON; never "
        "paste a token into a website) and compare `exp`, `aud` (${audiences}) and `tid` "
        "with the resource's; then sign in to the resource's tenant (`az login --tenant "
        "<tenant>`) and fetch a fresh token (`az account get-access-token --resource "
        "${default_audience}`), or let DefaultAzureCredential fetch one per request.",
        guide_section=_GUIDE_401,
        doc_url=MS_AUTHN_AUTHZ,
        variants=(
            Variant(
                "claims-look-right",
                title="The Entra ID token was refused although its expiry and audience look right",
                cause="The gateway answered 401 to a bearer token whose `exp` and `aud` claims, "
                "read locally, are fine: it was issued by another tenant, is not an access "
                "token for this API, is malformed or altered, or is not valid yet (`nbf`, clock "
                "skew).",
                remedy="Sign in to the resource's tenant (`az login --tenant <tenant>`) and fetch "
                "a fresh token (`az account get-access-token --resource ${default_audience}`), "
                "or let DefaultAzureCredential fetch one per request; compare the claims in the "
                "details (`tid` must be the resource's tenant).",
            ),
        ),
    ),
    DiagnosisInfo(
        code="expired-token",
        title="The Entra ID token has expired",
        severity="blocker",
        cause="The token's `exp` claim is in the past. Access tokens live about an hour (60–90 "
        "minutes); a token fetched once and reused, as a pipeline variable or a fixed "
        "Authorization header, stops working after that.",
        remedy="Fetch a new token for every run, or better pass a refreshing provider as "
        "`azure_ad_token_provider`: get_bearer_token_provider(DefaultAzureCredential(), "
        '"${default_scope}"). In CI, fetch the token in the same '
        "step that runs the harness.",
        guide_section=_GUIDE_401,
        doc_url=PLATFORM_GUIDE,
    ),
    DiagnosisInfo(
        code="wrong-token-audience",
        title="The Entra ID token was issued for another audience",
        severity="blocker",
        cause="The token's `aud` claim is not an audience Foundry accepts (${audiences}): it was "
        "requested for another API — most often Azure Resource Manager "
        "(https://management.azure.com), which `az account get-access-token` returns when "
        "`--resource` is left out — or Microsoft Graph, and Foundry's gateway refuses it.",
        remedy="Request the token for ${default_scope} (`az account get-access-token "
        "--resource ${default_audience} --query accessToken -o tsv`), or ${other_scope} as "
        "Anthropic's SDK docs do, and pass that scope to get_bearer_token_provider.",
        guide_section=_GUIDE_ENTRA,
        doc_url=PLATFORM_GUIDE,
    ),
    DiagnosisInfo(
        code="alt-scope-refused",
        title="Tokens for the other documented Entra scope are refused",
        severity="warning",
        cause="A current token carrying the audience of the other documented scope "
        "(${audiences_versus}) got 401. Microsoft's "
        "docs use one scope and Anthropic's SDKs default to the other (the C# SDK, the "
        "TypeScript README), so a client left on its default scope is refused.",
        remedy="Request tokens for the scope that works (the configured one, named in the "
        "details) and set it explicitly in every client instead of relying on its default.",
        guide_section=_GUIDE_ENTRA,
        doc_url=MS_USE_CLAUDE,
    ),
    DiagnosisInfo(
        code="missing-rbac-role",
        title="The identity has no data-plane role on the resource",
        severity="blocker",
        cause="The token is valid but its principal lacks the data action Claude needs "
        "(`PermissionDenied`, answered as 401 as often as 403). Role assignments are checked by "
        "the service and never appear in the token. Only ${roles_with_former} cover /anthropic; "
        "${not_data_plane_roles} stop at the OpenAI "
        "routes, and Owner or Contributor grant no data actions at all.",
        remedy="Assign ${roles} on the Foundry resource to "
        "the principal named in the details (portal › Access control (IAM) › Add role "
        'assignment, or `az role assignment create --assignee <object-id> --role "${role}" '
        "--scope <resource-id>`), then wait: role changes take a few minutes "
        "to propagate.",
        guide_section=_GUIDE_403,
        doc_url=MS_AUTHN_AUTHZ,
    ),
    DiagnosisInfo(
        code="key-auth-disabled",
        title="Key authentication is disabled on the resource",
        severity="blocker",
        cause="The resource has local (key) authentication turned off (`disableLocalAuth`, often "
        "enforced by an Azure Policy), so every key is refused with 403 "
        "`AuthenticationTypeDisabled`, however valid.",
        remedy="Use Entra ID instead (`--auth entra`, a token for "
        "${default_scope} and a data-plane role), or, where policy "
        "allows, re-enable local authentication on the resource; either change takes a few "
        "minutes to apply.",
        guide_section=_GUIDE_KEYS,
        doc_url=MS_DISABLE_LOCAL_AUTH,
    ),
    DiagnosisInfo(
        code="network-restricted",
        title="The resource's network rules refuse this client",
        severity="blocker",
        cause="A 403 came from the resource's network layer rather than from authentication: "
        "public network access is disabled, this client's IP is outside the firewall's allowed "
        "ranges, or traffic must arrive through an approved private endpoint.",
        remedy="Run from a network the resource allows (inside the virtual network, through its "
        "private endpoint, with the privatelink DNS zone linked), or add this client's egress "
        "IP under portal › resource › Networking › Firewalls and virtual networks; changes "
        "take a few minutes.",
        guide_section="Provisioning › Provision a Foundry resource",
        doc_url=MS_VIRTUAL_NETWORKS,
    ),
    DiagnosisInfo(
        code="auth-not-enforced",
        title="A request without a valid credential was served",
        severity="warning",
        cause="A request sent with no credential, or with a deliberately wrong key or token, got "
        "a 2xx answer: something in front of Foundry (an API Management gateway or proxy with "
        "its own credential) authenticates every request, or the 'wrong' credential is in fact "
        "valid (for the RBAC probe: the unprivileged principal does hold a data-plane role).",
        remedy="If a gateway sits in front, make sure it authenticates its own callers, or point "
        "the harness at the resource's endpoint. For the RBAC probe, use a principal without "
        "${roles} on the resource.",
        guide_section="Authentication",
        doc_url=MS_AUTHN_AUTHZ,
    ),
    DiagnosisInfo(
        code="credential-echoed",
        title="The endpoint sent the credential back",
        severity="blocker",
        cause="An answer spelled the key or token that the request presented (the details name "
        "where: the status line, a header's name or value, the body or the event stream; the "
        "value itself appears in no artifact of this run, where it was redacted). Foundry does "
        "not echo credentials: a gateway, proxy or middleware in front of the endpoint copies "
        "request headers into its answers or error messages, and so into every client log, "
        "trace and cache that keeps them.",
        remedy="Find the component that reflects request headers (an API Management policy, a "
        "proxy's error page, a custom middleware) and stop it from copying the x-api-key, "
        "api-key and Authorization headers into answers. Treat the credential as exposed: regenerate the key (Keys and Endpoint) "
        "or revoke the token's session, and check the logs that kept those answers.",
        guide_section="Authentication",
        doc_url=MS_AUTHN_AUTHZ,
    ),
)

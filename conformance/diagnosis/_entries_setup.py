"""Catalog entries about reaching the endpoint: configuration, network, routes and deployments."""

from __future__ import annotations

from ..core.links import MS_TROUBLESHOOT, MS_USE_CLAUDE, MS_VIRTUAL_NETWORKS, PLATFORM_GUIDE
from .info import DiagnosisInfo, Variant

_GUIDE_RESOURCE = "Provisioning › Provision a Foundry resource"

SETUP_ENTRIES: tuple[DiagnosisInfo, ...] = (
    DiagnosisInfo(
        code="config-conflict",
        title="Both a resource name and a base URL are configured",
        severity="blocker",
        cause="The endpoint was given twice, as a resource name (--resource or "
        "ANTHROPIC_FOUNDRY_RESOURCE) and as a base URL (--base-url or ANTHROPIC_FOUNDRY_BASE_URL) "
        "at the same level. The official SDKs refuse this ('base_url and resource are mutually "
        "exclusive'), and so does the harness rather than guess.",
        remedy="Keep one: the resource name alone (the SDK builds "
        "https://{resource}.services.ai.azure.com/anthropic/ from it) or the full base URL "
        "alone; unset the other variable.",
        guide_section="Authentication › API key authentication",
        doc_url=PLATFORM_GUIDE,
    ),
    DiagnosisInfo(
        code="config-missing",
        title="An endpoint or a credential is not configured",
        severity="blocker",
        cause="No endpoint was configured, or an auth mode was asked for without a credential "
        "for it, so the checks that need it cannot run.",
        remedy="Set the endpoint with --resource NAME or --base-url URL (or "
        "ANTHROPIC_FOUNDRY_RESOURCE / ANTHROPIC_FOUNDRY_BASE_URL). For keys set "
        "ANTHROPIC_FOUNDRY_API_KEY (Foundry portal › resource › Keys and Endpoint); for Entra ID "
        "set FOUNDRY_CONFORMANCE_ENTRA_TOKEN (`az account get-access-token --resource "
        "${default_audience}`) or sign in so that DefaultAzureCredential finds "
        "a credential. Secrets are read from the environment only, never from flags.",
        guide_section="Authentication",
        doc_url=PLATFORM_GUIDE,
    ),
    DiagnosisInfo(
        code="dns-failure",
        title="The resource's host name does not resolve",
        severity="blocker",
        cause="DNS has no address for the endpoint's host: the resource name is misspelled, the "
        "resource was deleted, or, for a private-endpoint-only resource, this machine does not "
        "use the privatelink DNS zone.",
        remedy="Copy the resource name from the Foundry portal (Keys and Endpoint shows "
        "https://{resource}.services.ai.azure.com/); try `nslookup <host>` from this machine; "
        "for a private endpoint, link the privatelink DNS zone to your network or run from "
        "inside it.",
        guide_section=_GUIDE_RESOURCE,
        doc_url=MS_USE_CLAUDE,
    ),
    DiagnosisInfo(
        code="connection-failed",
        title="The connection to the endpoint was refused or dropped",
        severity="blocker",
        cause="The host resolved, but the connection was refused, reset or closed before a "
        "complete HTTP answer: a proxy or firewall on the path, a private endpoint reached "
        "from outside its network, or a connection dropped mid-response.",
        remedy="Check the path from this machine: HTTPS_PROXY / NO_PROXY, egress to "
        "*.services.ai.azure.com on port 443, and whether the resource accepts only "
        "private-endpoint traffic (portal › resource › Networking). Retry once to rule out a "
        "transient reset.",
        guide_section=_GUIDE_RESOURCE,
        doc_url=MS_VIRTUAL_NETWORKS,
        variants=(
            Variant(
                "loopback-refused",
                title="Nothing listens at the base URL's port on this machine",
                cause="The base URL's host is this machine (${target}) and the connection was "
                "refused: no server listens on that port. No proxy, firewall or Azure network "
                "is on the path.",
                remedy="Start the local server, e.g. `foundry-conformance emulator --port "
                "${target_port}`, or put the port it listens on in the base URL; `--emulator` "
                "without a base URL starts one on a free port for the run.",
            ),
            Variant(
                "loopback",
                title="The local server at the base URL refused or dropped the connection",
                cause="The base URL's host is this machine (${target}), so no proxy, firewall or "
                "Azure network is on the path: nothing listens on that port (connection "
                "refused), or the local server there closed the connection before a complete "
                "answer.",
                remedy="If the connection was refused, start the local server (e.g. "
                "`foundry-conformance emulator --port ${target_port}`) or put the port it "
                "listens on in the base URL. If it was reset, read that server's own output: "
                "the emulator's connection-reset and reset-midstream fault profiles reset on "
                "purpose, and a crash shows there.",
            ),
        ),
    ),
    DiagnosisInfo(
        code="tls-error",
        title="The TLS handshake with the endpoint failed",
        severity="blocker",
        cause="The TLS connection could not be set up or its certificate was not trusted: "
        "usually a TLS-inspecting proxy whose root certificate this Python does not trust, a "
        "plain-HTTP port or proxy answering a TLS client ('wrong version number'), or a base "
        "URL on the wrong host.",
        remedy="Use an https:// base URL on the resource's own host. Behind a TLS-inspecting "
        "proxy, point SSL_CERT_FILE at a CA bundle that includes the proxy's root certificate. "
        "Never turn certificate verification off.",
        guide_section=_GUIDE_RESOURCE,
        doc_url=MS_USE_CLAUDE,
        variants=(
            Variant(
                "loopback",
                title="The local server at the base URL does not speak TLS",
                cause="The base URL's host is this machine (${target}) and the TLS handshake "
                "failed there: a local test server such as the embedded emulator serves plain "
                "HTTP ('wrong version number' is an HTTP answer read as TLS). No proxy or Azure "
                "certificate is involved.",
                remedy="Give the local server's base URL with http://, as `foundry-conformance "
                "emulator` prints it (http://${target}/anthropic/); keep https:// for the "
                "resource's own host.",
            ),
        ),
    ),
    DiagnosisInfo(
        code="timeout",
        title="The endpoint did not answer in time",
        severity="blocker",
        cause="A connect, read, write or pool timeout expired. A connect timeout means packets "
        "are dropped on the way (firewall, proxy, private endpoint reached from outside); a "
        "read timeout means the answer took longer than --timeout (a long generation or a busy "
        "deployment).",
        remedy="For connect timeouts, fix the network path as for a refused connection. For "
        "read timeouts, raise --timeout, lower max_tokens or stream the response. If it "
        "persists, open a ticket with the time window of the failing requests.",
        guide_section=_GUIDE_RESOURCE,
        doc_url=MS_TROUBLESHOOT,
    ),
    DiagnosisInfo(
        code="wrong-base-path",
        title="The base URL does not point at the /anthropic/ route",
        severity="blocker",
        cause="The requests never reached Claude: Azure answered with its generic 404 'Resource "
        "not found', or the URL could not be sent at all. The base URL lacks the /anthropic/ "
        "segment (or repeats it, or is not an https:// URL), and the SDK does not add it to a "
        "custom base URL.",
        remedy="Make the base URL https://{resource}.services.ai.azure.com/anthropic/ (the "
        "corrected URL is in the details), or give only the resource name and let the SDK "
        "build it; requests then go to …/anthropic/v1/messages.",
        guide_section="Authentication",
        doc_url=PLATFORM_GUIDE,
    ),
    DiagnosisInfo(
        code="api-not-supported",
        title="The request reached an API family that does not serve Claude",
        severity="blocker",
        cause="Azure answered 404 `api_not_supported` ('Requested API is currently not "
        "supported') on a route that should work: the URL leads to another API family "
        "(/openai/…, /models/chat/completions) or the deployment is not a Claude deployment.",
        remedy="Call Claude with the Messages API on "
        "https://{resource}.services.ai.azure.com/anthropic/v1/messages, not the OpenAI or "
        "model-inference routes, and check that the deployment is a Claude model (Foundry "
        "portal › Models + endpoints).",
        guide_section="Authentication",
        doc_url=MS_USE_CLAUDE,
    ),
    DiagnosisInfo(
        code="deployment-not-found",
        title="The deployment name does not exist on this resource",
        severity="blocker",
        cause="The `model` field must hold a deployment name of this resource, and this one was "
        "not found (404 `DeploymentNotFound` or `not_found_error`): a model ID that differs from "
        "a custom deployment name, a typo, a deployment of another resource, or one created in "
        "the last few minutes.",
        remedy="Use the exact deployment name from Foundry portal › Models + endpoints (it "
        "defaults to the model ID, e.g. ${example_model}, but may be customised and cannot be "
        "renamed). Right after creating a deployment, wait five minutes; check that the model "
        "is offered in the resource's region.",
        variants=(
            Variant(
                "case-mismatch",
                title="The deployment name differs from the resource's only in case",
                cause="The name sent in `model` was not found (404), while a deployment whose "
                "name differs from it only in letter case answered in this same run: this "
                "endpoint does not find a deployment under another spelling of its case.",
                remedy="Send the deployment name exactly as the resource spells it, case "
                "included: ${exact_names}; give it to `--deployment` here and in the `model` "
                "field (the SDK's `model=`) of your clients.",
            ),
        ),
        guide_section="Troubleshooting › Model and deployment errors › Model not found / "
        "Deployment not found",
        doc_url=PLATFORM_GUIDE,
    ),
)

"""The documents the harness cites, and what a link to each is called (pure).

A link's label names its target, and is derived from the target: a section of the platform guide
for a link into the guide, the page's own subject for a documentation page, ``repo issue #N`` for
a GitHub issue, the query for a GitHub search. So a report or a ticket cannot put one document's
name on another's address: a diagnosis declares a guide section (a name: the guide's headings
are listed here) and a source URL, and the writers label each from what it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from urllib.parse import parse_qs, urlsplit

# The platform guide: Anthropic's "Claude in Microsoft Foundry" page (``seed/`` holds its
# Traditional Chinese edition, whose headings are named here in English).
PLATFORM_GUIDE = "https://platform.claude.com/docs/en/build-with-claude/claude-in-microsoft-foundry"
GUIDE_TITLE = "Claude in Microsoft Foundry"

CLAUDE_ERRORS = "https://docs.claude.com/en/api/errors"
CLAUDE_STREAMING = "https://docs.claude.com/en/api/messages-streaming"
MS_USE_CLAUDE = (
    "https://learn.microsoft.com/azure/foundry/foundry-models/how-to/use-foundry-models-claude"
)
MS_TROUBLESHOOT = "https://learn.microsoft.com/azure/foundry/openai/how-to/troubleshoot-errors"
MS_AUTHN_AUTHZ = (
    "https://learn.microsoft.com/azure/foundry/concepts/authentication-authorization-foundry"
)
MS_DISABLE_LOCAL_AUTH = "https://learn.microsoft.com/azure/ai-services/disable-local-auth"
MS_VIRTUAL_NETWORKS = (
    "https://learn.microsoft.com/azure/ai-services/cognitive-services-virtual-networks"
)
MS_QUOTAS = "https://learn.microsoft.com/azure/foundry/foundry-models/quotas-limits"
SDK_API_KEY_ISSUE = "https://github.com/anthropics/anthropic-sdk-python/issues/1661"

# Each page by what it is about (its address says as much: no title is guessed beyond it).
PAGES: Mapping[str, str] = MappingProxyType(
    {
        PLATFORM_GUIDE: GUIDE_TITLE,
        CLAUDE_ERRORS: "Claude API docs: errors",
        CLAUDE_STREAMING: "Claude API docs: streaming messages",
        MS_USE_CLAUDE: "Microsoft Learn: use Claude models in Foundry",
        MS_TROUBLESHOOT: "Microsoft Learn: troubleshoot errors (Azure OpenAI in Foundry)",
        MS_AUTHN_AUTHZ: "Microsoft Learn: authentication and authorization in Foundry",
        MS_DISABLE_LOCAL_AUTH: "Microsoft Learn: disable local authentication (Azure AI services)",
        MS_VIRTUAL_NETWORKS: "Microsoft Learn: virtual networks (Azure AI services)",
        MS_QUOTAS: "Microsoft Learn: Foundry Models quotas and limits",
    }
)

# The guide's headings, as paths ("Troubleshooting › Rate limits"), and the errors its
# troubleshooting section names under them: what a diagnosis may give as its guide section.
GUIDE_SECTIONS: frozenset[str] = frozenset(
    {
        "Preview",
        "Prerequisites",
        "Install an SDK",
        "Provisioning",
        "Provisioning › Provision a Foundry resource",
        "Provisioning › Create a Foundry deployment",
        "Authentication",
        "Authentication › API key authentication",
        "Microsoft Entra authentication",
        "Correlation request IDs",
        "Supported features",
        "Supported features › Unsupported features",
        "API responses",
        "API model IDs and deployments",
        "Monitoring and logging",
        "Troubleshooting",
        "Troubleshooting › Authentication errors",
        "Troubleshooting › Authentication errors › 401 Unauthorized / Invalid API key",
        "Troubleshooting › Authentication errors › 403 Forbidden",
        "Troubleshooting › Rate limits",
        "Troubleshooting › Rate limits › 429 Too Many Requests",
        "Troubleshooting › Rate limits › Rate limit headers",
        "Troubleshooting › Model and deployment errors",
        "Troubleshooting › Model and deployment errors › Model not found / Deployment not found",
        "Troubleshooting › Model and deployment errors › Invalid model parameter",
        "Additional resources",
    }
)

_GITHUB = re.compile(
    r"https://github\.com/(?P<owner>[^/?#]+)/(?P<repo>[^/?#]+)"
    r"(?:/(?P<kind>issues|pull|discussions)/(?P<number>\d+)|/blob/[^/]+/(?P<path>[^?#]+))?/?$"
)
_GITHUB_KIND = {"issues": "issue", "pull": "pull request", "discussions": "discussion"}
_MS_QA = re.compile(r"https://learn\.microsoft\.com/answers/questions/(\d+)")


def slug(heading: str) -> str:
    """A heading's anchor on the docs sites: ``Correlation request IDs`` → ``correlation-request-ids``."""
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


def guide_label(section: str | None) -> str:
    """``Claude in Microsoft Foundry › Troubleshooting › Rate limits``: a guide section's label."""
    return f"{GUIDE_TITLE} › {section}" if section else GUIDE_TITLE


def in_guide(url: str) -> bool:
    """Whether ``url`` is the platform guide, or an anchor on it."""
    return url.partition("#")[0] == PLATFORM_GUIDE


def link_label(url: str) -> str:
    """What a link to ``url`` is called, derived from ``url`` itself."""
    page, _, anchor = url.partition("#")
    if page == PLATFORM_GUIDE:
        by_anchor = {slug(s.rsplit(" › ", 1)[-1]): s for s in GUIDE_SECTIONS}
        if not anchor:
            return GUIDE_TITLE
        return guide_label(by_anchor[anchor]) if anchor in by_anchor else f"{GUIDE_TITLE} #{anchor}"
    if page in PAGES:
        return PAGES[page] + (f" #{anchor}" if anchor else "")
    return _derived(url)


def _derived(url: str) -> str:
    """The label of an address no table names: GitHub issues, files and searches, Microsoft Q&A,
    else the host and path."""
    github = _GITHUB.match(url.partition("#")[0])
    if github is not None:
        repo = github["repo"]
        if github["number"]:
            return f"{repo} {_GITHUB_KIND[github['kind']]} #{github['number']}"
        if github["path"]:
            return f"{github['owner']}/{repo}: {github['path'].rsplit('/', 1)[-1]}"
        return f"{github['owner']}/{repo} on GitHub"
    parts = urlsplit(url)
    if parts.netloc == "github.com" and parts.path == "/search":
        query = parse_qs(parts.query).get("q", [""])[0]
        return f"GitHub search: {query}"
    question = _MS_QA.match(url)
    if question is not None:
        return f"Microsoft Q&A question {question[1]}"
    return f"{parts.netloc}{parts.path}".rstrip("/") or url

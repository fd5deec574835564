"""Which features of a hosting option a Messages body uses, and how the field words a refusal.

The features are the platform profile's (``hosting.<option>.features``); what marks each on the
wire is the Messages API's own vocabulary (a server tool's ``type``, ``output_config.format``,
``mcp_servers``…). A refused request is a 400 in one of the three wordings seen in the field;
each names the features as the profile's ``errors.feature_names`` does, so that
``profile.refused_features`` reads back exactly what was refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..core.platform import PlatformProfile

# A server tool's ``type`` starts with the name of its feature's family.
SERVER_TOOLS = {
    "web_search_": "web_search",
    "web_fetch_": "web_fetch",
    "code_execution_": "code_execution",
    "tool_search_tool_": "tool_search",
}
# TODO(profile): the profile holds the three refusal wordings as patterns only; these are
# sentences each pattern matches, in the order: one feature, several, server-side web search.
ONE_REFUSED = "{features} not supported in your workspace."
SEVERAL_REFUSED = (
    "The following features are not available for Azure AI Foundry workspaces: {features}"
)
WEB_SEARCH_REFUSED = "server-side web search is not available in this environment"
WEB_SEARCH = "web_search"


def features_used(body: Mapping[str, Any]) -> tuple[str, ...]:
    """The profile's features a body uses, in a stable order, without repeats."""
    return tuple(dict.fromkeys(_features(body)))


def _features(body: Mapping[str, Any]) -> Iterator[str]:
    config = body.get("output_config")
    if isinstance(config, Mapping) and config.get("format") is not None:
        yield "structured_outputs"
    if body.get("output_format") is not None:
        yield "legacy_output_format"
    if body.get("mcp_servers"):
        yield "mcp_connector"
    if body.get("context_management") is not None:
        yield "context_editing"
    container = body.get("container")
    if isinstance(container, Mapping) and container.get("skills"):
        yield "agent_skills"
    tools = body.get("tools")
    for tool in tools if isinstance(tools, list) else ():
        if not isinstance(tool, Mapping):
            continue
        kind = str(tool.get("type") or "")
        yield from (feature for prefix, feature in SERVER_TOOLS.items() if kind.startswith(prefix))
        if kind == "mcp_toolset":
            yield "mcp_connector"
        if tool.get("strict") is True:
            yield "strict_tools"
        if tool.get("defer_loading") is True:
            yield "tool_search"
        if tool.get("allowed_callers"):
            yield "programmatic_tool_calling"
    if any(_uses_file_ids(message) for message in body.get("messages") or ()):
        yield "files_api"


def _uses_file_ids(message: object) -> bool:
    content = message.get("content") if isinstance(message, Mapping) else None
    blocks = content if isinstance(content, list) else ()
    return any(
        isinstance(block, Mapping)
        and isinstance(block.get("source"), Mapping)
        and block["source"].get("type") == "file"
        for block in blocks
    )


def wire_name(feature: str, profile: PlatformProfile) -> str:
    """How a refusal names ``feature``: the first of the profile's names that stands for it."""
    return next((name for name, f in profile.feature_names.items() if f == feature), feature)


def refusal_message(refused: Sequence[str], profile: PlatformProfile) -> str:
    """The field's 400 for a request that uses the features ``refused``."""
    if list(refused) == [WEB_SEARCH]:
        return WEB_SEARCH_REFUSED
    names = ", ".join(wire_name(feature, profile) for feature in refused)
    return (ONE_REFUSED if len(refused) == 1 else SEVERAL_REFUSED).format(features=names)

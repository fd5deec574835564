"""Which features of a hosting option a Messages body uses, and how the field words a refusal.

The features are the platform profile's (``hosting.<option>.features``), and so is what marks
each on the wire (``[markers]``: a server tool's ``type``, ``output_config.format``,
``mcp_servers``…). A refused request is a 400 in one of the three wordings seen in the field;
each names the features as the profile's ``errors.feature_names`` does, so that
``profile.refused_features`` reads back exactly what was refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ..core.platform import PlatformProfile

# TODO(profile): the profile holds the three refusal wordings as patterns only; these are
# sentences each pattern matches, in the order: one feature, several, server-side web search.
ONE_REFUSED = "{features} not supported in your workspace."
SEVERAL_REFUSED = (
    "The following features are not available for Azure AI Foundry workspaces: {features}"
)
WEB_SEARCH_REFUSED = "server-side web search is not available in this environment"
WEB_SEARCH = "web_search"


def features_used(body: Mapping[str, Any], profile: PlatformProfile) -> tuple[str, ...]:
    """The profile's features a body uses (``[markers]``), in the profile's order."""
    tools = [t for t in body.get("tools") or () if isinstance(t, Mapping)]
    sources = set(_source_types(body))
    return tuple(
        feature
        for feature, marker in profile.markers.items()
        if any(_present(body, path) for path in marker.fields)
        or any(str(t.get("type") or "").startswith(p) for t in tools for p in marker.tools)
        or any(t.get(flag) for t in tools for flag in marker.tool_flags)
        or sources & set(marker.source_types)
    )


def _present(body: Mapping[str, Any], path: str) -> bool:
    """Whether the dotted ``path`` holds a value that is not null or empty."""
    node: Any = body
    for part in path.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return node not in (None, "", [], {})


def _source_types(body: Mapping[str, Any]) -> Iterator[str]:
    for message in body.get("messages") or ():
        content = message.get("content") if isinstance(message, Mapping) else None
        for block in content if isinstance(content, list) else ():
            source = block.get("source") if isinstance(block, Mapping) else None
            if isinstance(source, Mapping) and isinstance(source.get("type"), str):
                yield source["type"]


def wire_name(feature: str, profile: PlatformProfile) -> str:
    """How a refusal names ``feature``: the first of the profile's names that stands for it."""
    return next((name for name, f in profile.feature_names.items() if f == feature), feature)


def refusal_message(refused: Sequence[str], profile: PlatformProfile) -> str:
    """The field's 400 for a request that uses the features ``refused``."""
    if list(refused) == [WEB_SEARCH]:
        return WEB_SEARCH_REFUSED
    names = ", ".join(wire_name(feature, profile) for feature in refused)
    return (ONE_REFUSED if len(refused) == 1 else SEVERAL_REFUSED).format(features=names)

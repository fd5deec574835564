"""What a method and path address on the resource, as the gateway routes them.

Claude's API lives under ``/anthropic/``. The APIs Foundry does not serve (the profile's
``api.unsupported``: Models, Batches, Admin…) and the resource's other APIs answer 404
``api_not_supported`` after authentication; the APIs only some hosting options serve (the
profile's ``api.hosted``: ``/files``, ``/skills``) depend on the option played; any other path
is 404 ``Resource not found`` before authentication.
"""

from __future__ import annotations

from enum import Enum

from ..core.platform import PlatformProfile
from ..core.platform import Route as ApiRoute
from ..core.platform_load import builtin_profile

ANTHROPIC = "/anthropic/"
MESSAGES = ANTHROPIC + "v1/messages"
COUNT_TOKENS = MESSAGES + "/count_tokens"
MODELS = ANTHROPIC + "v1/models"
# TODO(profile): the resource's other APIs (OpenAI-style and model-inference routes), which do not
# serve Claude; the profile lists only the Anthropic API's unsupported routes.
OTHER_APIS = ("/openai", "/models")


class Route(Enum):
    """What a method and path address on the resource."""

    MESSAGES = "messages"
    COUNT_TOKENS = "count_tokens"
    MODELS = "models"
    HOSTED = "hosted"
    UNSUPPORTED = "unsupported"
    UNKNOWN = "unknown"


def under(path: str, prefix: str) -> bool:
    """Whether ``path`` is ``prefix`` or below it."""
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/")


def unsupported_prefixes(profile: PlatformProfile) -> tuple[str, ...]:
    """The paths of the APIs Foundry does not serve: each unsupported route, and the family it
    belongs to (``v1/organizations/me`` stands for the whole Admin API) unless that family is
    served (``v1/messages`` is, its ``batches`` are not)."""
    served = {MESSAGES, ANTHROPIC + "v1"}
    prefixes: list[str] = []
    for route in profile.unsupported:
        path = ANTHROPIC + route.path.strip("/")
        family = path.rsplit("/", 1)[0]
        prefixes.append(path if family in served else family)
    return (*dict.fromkeys(prefixes), *OTHER_APIS)


def hosted_route(path: str, profile: PlatformProfile) -> ApiRoute | None:
    """The API only some hosting options serve that ``path`` is under, if any."""
    return next(
        (r for r in profile.hosted_routes if under(path, ANTHROPIC + r.path.strip("/"))), None
    )


def classify(method: str, path: str, profile: PlatformProfile | None = None) -> Route:
    """The route of a request; a wrong method on a known route is an unknown operation."""
    profile = profile or builtin_profile()
    if path == MESSAGES:
        return Route.MESSAGES if method == "POST" else Route.UNKNOWN
    if path == COUNT_TOKENS:
        return Route.COUNT_TOKENS if method == "POST" else Route.UNKNOWN
    if under(path, MODELS):
        return Route.MODELS
    if hosted_route(path, profile) is not None:
        return Route.HOSTED
    if any(under(path, prefix) for prefix in unsupported_prefixes(profile)):
        return Route.UNSUPPORTED
    return Route.UNKNOWN

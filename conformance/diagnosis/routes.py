"""Which API a request path names, and what a base URL should have been."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

# Routes the harness expects to work (with or without the SDK's ``?beta=true``).
_WORKING_SUFFIXES = ("/v1/messages", "/v1/messages/count_tokens")
# Routes the guide lists as unsupported on Foundry.
_UNSUPPORTED_PREFIXES = ("/v1/models", "/v1/messages/batches", "/v1/organizations")

BASE_URL_TEMPLATE = "https://{resource}.services.ai.azure.com/anthropic/"


def route_of(path: str) -> str:
    """``path`` without its query string or trailing slash."""
    return path.partition("?")[0].rstrip("/")


def is_messages_route(path: str) -> bool:
    """Whether ``path`` is Messages or count_tokens, the routes that must work."""
    return route_of(path).endswith(_WORKING_SUFFIXES)


def unsupported_api(path: str) -> str | None:
    """The unsupported API ``path`` belongs to (``/v1/models``, …), or None."""
    route = route_of(path)
    for prefix in _UNSUPPORTED_PREFIXES:
        at = route.find(prefix)
        if at >= 0 and route[at + len(prefix) :][:1] in ("", "/"):
            return prefix
    return None


def suggested_base_url(base_url: str) -> str:
    """The base URL on the same host that reaches the Anthropic route: ``…/anthropic/``."""
    text = base_url.strip()
    if text and "://" not in text:
        text = f"https://{text}"  # a bare host, as people paste it from the portal
    try:
        parts = urlsplit(text)
    except ValueError:
        return BASE_URL_TEMPLATE
    if not parts.netloc:
        return BASE_URL_TEMPLATE
    # http stays http (the loopback emulator); anything else becomes https, as Foundry is.
    scheme = parts.scheme if parts.scheme in ("http", "https") else "https"
    host = parts.netloc.rpartition("@")[2]  # never repeat credentials embedded in a URL
    return f"{scheme}://{host}/anthropic/"


def is_loopback(url: str) -> bool:
    """Whether ``url``'s host is this machine (127.0.0.0/8, ::1, localhost), read from the URL
    alone: nothing is resolved."""
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_and_port(url: str) -> tuple[str, str]:
    """``url``'s host and port as they would be dialled (the scheme's default port if none)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return "", ""
    host = parts.hostname or ""
    default = {"http": 80, "https": 443}.get(parts.scheme)
    shown = port if port is not None else default
    return (f"[{host}]" if ":" in host else host), ("" if shown is None else str(shown))

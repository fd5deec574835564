"""Validation of a base URL for the Anthropic routes (``…/anthropic/``).

Pure: no I/O, no third-party imports and no DNS: a host is judged by its spelling only. A
``ConfigError`` quotes the value as it was typed (cut when long; without its user information or
query, which is where a pasted secret would sit), says what is wrong with it, and gives the URL to
use instead: a value without a scheme gets ``http://`` for this machine (the emulator, a local
gateway) and ``https://`` for any other host. Mistakes seen in the field get their own message: a
mistyped ``https://``, a space or a port that is no number, a base URL without ``/anthropic``,
one that already includes ``/v1/messages``, ``?api-version=`` habits from Azure OpenAI.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from ..core.constants import ENV_API_KEY
from ..core.errors import ConfigError
from ..core.suggest import closest
from .values import show, spell

FOUNDRY_HOST_SUFFIX = ".services.ai.azure.com"
EXAMPLE_BASE_URL = f"https://NAME{FOUNDRY_HOST_SUFFIX}/anthropic/"
# Hosts of sibling Azure AI services that people paste for a Foundry resource.
AZURE_AI_HOST_SUFFIXES = (FOUNDRY_HOST_SUFFIX, ".cognitiveservices.azure.com", ".openai.azure.com")

RESOURCE_NAME_PATTERN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
# Labels of letters, digits, '-' and '_' (container and compose names), not starting or ending in '-'.
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?"
HOST_PATTERN = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")

# Route tails the client appends to a base URL: a base URL ending in one went one step too far.
_ROUTE_SEGMENTS = frozenset({"messages", "count_tokens", "batches", "models", "complete"})


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` names this machine (plain HTTP is acceptable there)."""
    if host.rstrip(".") == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resource_label(host: str) -> str | None:
    """The resource name an Azure AI host carries in its first label, if it is one."""
    host = host.lower().rstrip(".")
    if host.endswith(AZURE_AI_HOST_SUFFIXES):
        label = host.split(".", 1)[0]
        if 2 <= len(label) <= 64 and RESOURCE_NAME_PATTERN.fullmatch(label):
            return label
    return None


@dataclass(frozen=True)
class BaseUrl:
    """A validated base URL: normalised to end with ``/``, with what it implies."""

    url: str
    resource: str | None
    warnings: tuple[str, ...]


def _quoted(value: str) -> str:
    """``value`` as it was typed, for a message, but for where a pasted secret would sit: the
    user information before ``@`` and everything from ``?`` or ``#``."""
    cut = min((i for i in (value.find("?"), value.find("#")) if i >= 0), default=-1)
    if cut >= 0:
        value = value[: cut + 1] + "…"
    start = value.find("://") + 3 if "://" in value else 0
    end = next((i for i in range(start, len(value)) if value[i] in "/?#"), len(value))
    at = value.rfind("@", start, end)
    if at >= 0:
        value = value[:start] + "…" + value[at:]
    return show(value)


def _scheme_for(host: str) -> str:
    """What a URL without a scheme most likely meant: plain HTTP for a server on this machine
    (the emulator, a local gateway), HTTPS for any other host."""
    return "http" if is_loopback_host(host.strip("[]")) else "https"


def _suggestion(candidate: str, source: str) -> str:
    """``candidate`` normalised, with ``anthropic/`` when it has no path, or the example. What a
    suggestion never repeats: user information, a query, a fragment."""
    candidate = re.split(r"[?#]", candidate, maxsplit=1)[0]
    scheme, separator, rest = candidate.rpartition("://")
    authority, slash, path = rest.partition("/")
    candidate = f"{scheme}{separator}{authority.rsplit('@', 1)[-1]}{slash}{path}"
    try:
        url = normalize_base_url(candidate, source).url
    except ConfigError:
        return EXAMPLE_BASE_URL
    return url + "anthropic/" if urlsplit(url).path == "/" else url


_STRAY_NAMES = {" ": "a space", "\t": "a tab", "\n": "a line break", "\r": "a line break"}


def _stray(char: str) -> bool:
    """Whitespace or a control or formatting character: nothing a URL can hold."""
    return char.isspace() or not char.isprintable()


def _reject_blank_and_spaces(value: str, raw: str, source: str) -> None:
    """An empty value, and whitespace or a control character inside one."""
    if not raw:
        raise ConfigError(
            f"{source} is empty.",
            f"Give the endpoint, e.g. {spell(source, EXAMPLE_BASE_URL)}.",
            source=source,
        )
    position = next((i for i, char in enumerate(raw) if _stray(char)), None)
    if position is None:
        return
    kind = _STRAY_NAMES.get(raw[position], "a control or formatting character")
    cleaned = "".join(char for char in raw if not _stray(char))
    raise ConfigError(
        f"{source} {_quoted(value)} holds {kind} (character {position + 1} of {len(raw)}), "
        "which a URL cannot hold.",
        f"Remove it: {spell(source, _suggestion(cleaned, source))}.",
        source=source,
    )


_MISTYPED_SCHEME = re.compile(r"(https?)(:/?|//)(?=[^/])", re.IGNORECASE)


def _reject_missing_scheme(value: str, raw: str, source: str) -> None:
    """A value without ``://``: a mistyped separator (``https:/host``), or no scheme at all."""
    if "://" in raw:
        return
    typo = _MISTYPED_SCHEME.match(raw)
    if typo is not None:
        scheme = typo.group(1).lower()
        candidate = f"{scheme}://{raw[typo.end() :]}"
        raise ConfigError(
            f"{source} {_quoted(value)} misspells {scheme}:// as {show(typo.group(0))}.",
            f"Write {scheme}:// in full: {spell(source, _suggestion(candidate, source))}.",
            source=source,
        )
    rest = raw.lstrip("/")
    try:
        host = urlsplit(f"//{rest}").hostname or ""
    except ValueError:
        host = ""
    scheme = _scheme_for(host)
    why = (
        "a server on this machine, such as the emulator, speaks plain HTTP"
        if scheme == "http"
        else "Foundry and any remote endpoint speak HTTPS"
    )
    raise ConfigError(
        f"{source} {_quoted(value)} has no scheme (http:// or https://).",
        f"Start it with {scheme}:// ({why}): "
        f"{spell(source, _suggestion(f'{scheme}://{rest}', source))}.",
        source=source,
    )


def _port_text(netloc: str) -> str:
    """What follows the host in ``netloc``, as typed (``abc`` in ``host:abc``)."""
    hostport = netloc.rsplit("@", 1)[-1]
    if hostport.startswith("["):
        return hostport.partition("]")[2].removeprefix(":")
    return hostport.partition(":")[2]


def _split(value: str, raw: str, source: str) -> SplitResult:
    try:
        parts = urlsplit(raw)
    except ValueError as exc:  # an unbalanced IPv6 bracket
        raise ConfigError(
            f"{source} {_quoted(value)} is not a valid URL ({exc}).",
            f"Give the endpoint as {spell(source, EXAMPLE_BASE_URL)}.",
            source=source,
        ) from None
    try:
        port = parts.port
    except ValueError:  # not a number, or out of range
        port = 0
    if port == 0 and _port_text(parts.netloc):
        without = parts._replace(netloc=parts.netloc.rsplit(":", 1)[0]).geturl()
        raise ConfigError(
            f"{source} {_quoted(value)} has the port {show(_port_text(parts.netloc))}, which is "
            "not a number from 1 to 65535.",
            f"Give a port number, or none for the scheme's own: "
            f"{spell(source, _suggestion(without, source))}.",
            source=source,
        )
    return parts


def normalize_base_url(value: str, source: str) -> BaseUrl:
    """``value`` checked as the base of the Anthropic routes (``…/anthropic/``) and normalised;
    a ``ConfigError`` quotes it as typed and says what to give instead."""
    raw = value.strip()
    _reject_blank_and_spaces(value, raw, source)
    _reject_missing_scheme(value, raw, source)
    parts = _split(value, raw, source)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    shown_host = f"[{host}]" if ":" in host else host  # an IPv6 literal keeps its brackets
    origin = f"{scheme}://{shown_host}" + (f":{parts.port}" if parts.port is not None else "")
    if scheme not in {"http", "https"}:
        meant = closest(scheme, ("http", "https")) or _scheme_for(host)
        rest = raw.split("://", 1)[1]
        raise ConfigError(
            f"{source} {_quoted(value)} uses the scheme {show(parts.scheme)}; only https:// (or "
            "http:// for a local test server) is possible.",
            f"Give the endpoint as {spell(source, _suggestion(f'{meant}://{rest}', source))}.",
            source=source,
        )
    if "@" in parts.netloc:
        # Never echo the URL here: the part before '@' is a user name and maybe a password.
        raise ConfigError(
            f"{source} carries user information (user@host) in its URL.",
            f"Remove it (the key belongs in {ENV_API_KEY}): "
            f"{spell(source, origin + '/anthropic/')}.",
            source=source,
        )
    if not host or not _valid_host(host):
        problem = f"has no valid host name ({show(host)})" if host else "has no host name"
        raise ConfigError(
            f"{source} {_quoted(value)} {problem}.",
            f"Give the endpoint as {spell(source, EXAMPLE_BASE_URL)}.",
            source=source,
        )
    segments = [segment for segment in parts.path.split("/") if segment]
    shown = origin + ("/" + "/".join(segments) if segments else "")
    _reject_route_tail(segments, origin, host, value, source)
    if parts.query or parts.fragment or "?" in raw or "#" in raw:
        raise ConfigError(
            f"{source} {_quoted(value)} has a query or fragment; the base URL cannot carry "
            "parameters (this is not Azure OpenAI's ?api-version=).",
            f"Remove everything from '?' or '#': {spell(source, shown + '/')}; the key belongs in "
            f"{ENV_API_KEY}.",
            source=source,
        )
    return BaseUrl(
        url=shown + "/",
        resource=resource_label(host) if host.endswith(FOUNDRY_HOST_SUFFIX) else None,
        warnings=tuple(_base_url_warnings(segments, scheme, host, origin, shown, source)),
    )


def _valid_host(host: str) -> bool:
    if HOST_PATTERN.fullmatch(host):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _reject_route_tail(
    segments: list[str], origin: str, host: str, value: str, source: str
) -> None:
    """A base URL must stop before ``/v1``: the client appends ``v1/messages`` itself."""
    lowered = [segment.lower() for segment in segments]
    if "v1" not in lowered:
        return
    index = len(lowered) - 1 - lowered[::-1].index("v1")
    if not all(segment in _ROUTE_SEGMENTS for segment in lowered[index + 1 :]):
        return
    prefix = segments[:index]
    if host.endswith(FOUNDRY_HOST_SUFFIX) and "anthropic" not in lowered[:index]:
        prefix = [*prefix, "anthropic"]
    suggestion = origin + "/" + "".join(f"{segment}/" for segment in prefix)
    raise ConfigError(
        f"{source} {_quoted(value)} includes the API route "
        f"({'/'.join(segments[index:])}); the client appends /v1/... to the base URL itself.",
        f"Stop the base URL before /v1: {spell(source, suggestion)}.",
        source=source,
    )


def _base_url_warnings(
    segments: list[str], scheme: str, host: str, origin: str, shown: str, source: str
) -> Iterable[str]:
    lowered = [segment.lower() for segment in segments]
    if "anthropic" not in lowered:
        family = ""
        if lowered and lowered[0] in {"openai", "models"}:
            family = f" (/{lowered[0]}/ is the route family of other models, not Claude's)"
        yield (
            f"{source} {show(shown + '/')} has no /anthropic in its path{family}: on Foundry "
            "the Anthropic routes live under /anthropic/, and without it Azure answers 404 "
            f"'Resource not found'; did you mean {origin}/anthropic/? (Ignore this for a gateway "
            "that maps its own routes.)"
        )
    elif host.endswith(FOUNDRY_HOST_SUFFIX) and lowered != ["anthropic"]:
        # On a resource's own host nothing maps routes: the base is /anthropic/, exactly.
        yield (
            f"{source} {show(shown + '/')} has the path /{'/'.join(segments)}/, but a Foundry "
            f"resource serves the Anthropic routes under /anthropic/ alone; did you mean "
            f"{origin}/anthropic/?"
        )
    if host.endswith((".openai.azure.com", ".cognitiveservices.azure.com")):
        label = resource_label(host) or "NAME"
        yield (
            f"{source} points at {host}, an Azure OpenAI / Cognitive Services host; Claude is "
            f"served from https://{label}{FOUNDRY_HOST_SUFFIX}/anthropic/."
        )
    if scheme == "http" and not is_loopback_host(host):
        yield (
            f"{source} uses plain http:// to {host}: keys and tokens would cross the network "
            "unencrypted. Use https:// unless this is a local test server."
        )

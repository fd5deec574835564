"""Validation of the endpoint: a Foundry resource name, or a base URL for the Anthropic routes.

Pure: no I/O and no third-party imports. A value shown back in a message is quoted and cut, and a
URL is shown without its user information or query, which is where a pasted secret would sit.
Mistakes seen in the field get their own message: a URL or host name given as the resource, a base
URL without ``/anthropic``, one that already includes ``/v1/messages``, ``?api-version=`` habits
from Azure OpenAI.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from ..core.constants import ENV_API_KEY, ENV_BASE_URL, ENV_RESOURCE
from ..core.errors import CONFIG_CONFLICT, ConfigError
from .values import Remarks, is_plain, show, spell, unsafe_character

FOUNDRY_HOST_SUFFIX = ".services.ai.azure.com"
EXAMPLE_BASE_URL = f"https://NAME{FOUNDRY_HOST_SUFFIX}/anthropic/"
# Hosts of sibling Azure AI services that people paste for a Foundry resource.
AZURE_AI_HOST_SUFFIXES = (FOUNDRY_HOST_SUFFIX, ".cognitiveservices.azure.com", ".openai.azure.com")

RESOURCE_NAME_PATTERN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
HOST_PATTERN = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?")

# Route tails the client appends to a base URL: a base URL ending in one went one step too far.
_ROUTE_SEGMENTS = frozenset({"messages", "count_tokens", "batches", "models", "complete"})

# Where the resource and the base URL of each precedence level are given.
OTHER_ENDPOINT_SOURCE = {
    "--resource": "--base-url",
    "--base-url": "--resource",
    ENV_RESOURCE: ENV_BASE_URL,
    ENV_BASE_URL: ENV_RESOURCE,
}


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` names this machine (plain HTTP is acceptable there)."""
    if host.rstrip(".") == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _resource_label(host: str) -> str | None:
    """The resource name an Azure AI host carries in its first label, if it is one."""
    host = host.lower().rstrip(".")
    if host.endswith(AZURE_AI_HOST_SUFFIXES):
        label = host.split(".", 1)[0]
        if 2 <= len(label) <= 64 and RESOURCE_NAME_PATTERN.fullmatch(label):
            return label
    return None


def _host_fix(host: str, source: str) -> str:
    """The fix for a host name (or URL) given where a bare resource name belongs."""
    other = OTHER_ENDPOINT_SOURCE.get(source, "--base-url")
    label = _resource_label(host)
    if label is not None:
        return (
            f"A resource name is only the first label of its host: use {spell(source, label)}, "
            f"or give the whole endpoint with {spell(other, f'https://{label}{FOUNDRY_HOST_SUFFIX}/anthropic/')}."
        )
    if host.lower().rstrip(".").endswith(".anthropic.com"):
        first = host.split(".", 1)[0]
        return (
            f"{show(host)} is not a Foundry host (a README once showed this form by mistake): "
            f"Foundry endpoints look like https://NAME{FOUNDRY_HOST_SUFFIX}/anthropic/, so use "
            f"{spell(source, first)} if {show(first)} is the name of your Foundry resource."
        )
    return (
        f"Use {spell(source, 'NAME')} with the bare resource name shown in the Foundry portal, or "
        f"give a full endpoint with {spell(other, 'https://HOST/anthropic/')}."
    )


def validate_resource_name(value: str, source: str) -> str:
    """``value`` as a Foundry resource name (an Azure custom subdomain), or a ``ConfigError``."""
    name = value.strip()
    if not name:
        raise ConfigError(
            f"{source} is empty.",
            f"Give the resource name from the Foundry portal, e.g. {spell(source, 'my-resource')}.",
            source=source,
        )
    if "/" in name or "://" in name:
        host = _host_part(name)
        raise ConfigError(
            f"{source} {show(name)} is a URL, not a resource name.",
            _host_fix(host, source),
            source=source,
        )
    if "." in name:
        raise ConfigError(
            f"{source} {show(name)} is a host name, not a resource name.",
            _host_fix(name, source),
            source=source,
        )
    rule = (
        "Azure resource names are 2 to 64 letters, digits and hyphens, "
        "starting and ending with a letter or digit"
    )
    bad = next((ch for ch in name if not (ch.isascii() and (ch.isalnum() or ch == "-"))), None)
    if bad is not None:
        problem = f"{source} {show(name)} contains {show(bad)}, which a resource name cannot hold."
    elif not 2 <= len(name) <= 64:
        problem = f"{source} {show(name)} is {len(name)} characters long."
    elif not RESOURCE_NAME_PATTERN.fullmatch(name):
        problem = f"{source} {show(name)} starts or ends with a hyphen."
    else:
        return name
    raise ConfigError(
        problem,
        f"{rule}: copy the name from the Foundry portal (Keys and Endpoint).",
        source=source,
    )


def _host_part(value: str) -> str:
    """The host of a URL-ish string, tolerating a missing scheme and unparsable input."""
    rest = value.split("://", 1)[1] if "://" in value else value
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return host.split(":", 1)[0] if host.count(":") == 1 else host


@dataclass(frozen=True)
class BaseUrl:
    """A validated base URL: normalised to end with ``/``, with what it implies."""

    url: str
    resource: str | None
    warnings: tuple[str, ...]


def _split(value: str, source: str) -> SplitResult:
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError as exc:
        raise ConfigError(
            f"{source} {show(_host_part(value))} is not a valid URL ({exc}).",
            f"Give the endpoint as {spell(source, EXAMPLE_BASE_URL)}.",
            source=source,
        ) from None
    return parts


def normalize_base_url(value: str, source: str) -> BaseUrl:
    """``value`` checked as the base of the Anthropic routes (``…/anthropic/``) and normalised."""
    raw = value.strip()
    example = EXAMPLE_BASE_URL
    _refuse_unsafe_characters(raw, source)
    if "://" not in raw:
        fix_url = f"https://{raw.lstrip('/')}" if is_plain(raw.lstrip("/")) else example
        raise ConfigError(
            f"{source} {show(_host_part(raw))} is not an absolute URL.",
            f"Start it with https://, e.g. {spell(source, fix_url)}.",
            source=source,
        )
    parts = _split(raw, source)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    shown_host = f"[{host}]" if ":" in host else host  # an IPv6 literal keeps its brackets
    origin = f"{scheme}://{shown_host}" + (f":{parts.port}" if parts.port is not None else "")
    if scheme not in {"http", "https"}:
        raise ConfigError(
            f"{source} uses the scheme {show(parts.scheme)}; only https:// (or http:// for a local "
            "test server) is possible.",
            f"Give the endpoint as {spell(source, example)}.",
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
        raise ConfigError(
            f"{source} {show(_host_part(raw))} has no valid host name.",
            f"Give the endpoint as {spell(source, example)}.",
            source=source,
        )
    segments = [segment for segment in parts.path.split("/") if segment]
    shown = origin + ("/" + "/".join(segments) if segments else "")
    if parts.query or parts.fragment or "?" in raw or "#" in raw:
        raise ConfigError(
            f"{source} {show(shown + '?…')} has a query or fragment; the base URL cannot carry "
            "parameters (this is not Azure OpenAI's ?api-version=).",
            f"Remove everything from '?' or '#': {spell(source, shown + '/')}; the key belongs in "
            f"{ENV_API_KEY}.",
            source=source,
        )
    _reject_route_tail(segments, origin, host, source)
    return BaseUrl(
        url=shown + "/",
        resource=_resource_label(host) if host.endswith(FOUNDRY_HOST_SUFFIX) else None,
        warnings=tuple(_base_url_warnings(segments, scheme, host, origin, shown, source)),
    )


def _refuse_unsafe_characters(raw: str, source: str) -> None:
    """A URL holds no whitespace, control or invisible character (an HTTP client would drop a
    line break, or encode a space, and send the request to another path than the one given). It
    is not shown back: its query, if any, may hold a pasted secret."""
    found = unsafe_character(raw)
    if found is None or found[1] == "a non-ASCII character":
        return  # a non-ASCII host or path is judged below, by what it is
    position, kind = found
    raise ConfigError(
        f"{source} holds {kind} (character {position} of {len(raw)}), which no URL can carry: "
        "the value was probably pasted with part of another line, or wrapped.",
        f"Give the endpoint on one line with nothing else in it, e.g. {spell(source, EXAMPLE_BASE_URL)}.",
        source=source,
    )


def _valid_host(host: str) -> bool:
    if HOST_PATTERN.fullmatch(host):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _reject_route_tail(segments: list[str], origin: str, host: str, source: str) -> None:
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
        f"{source} {show(origin + '/' + '/'.join(segments))} includes the API route "
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
    if host.endswith((".openai.azure.com", ".cognitiveservices.azure.com")):
        label = _resource_label(host) or "NAME"
        yield (
            f"{source} points at {host}, an Azure OpenAI / Cognitive Services host; Claude is "
            f"served from https://{label}{FOUNDRY_HOST_SUFFIX}/anthropic/."
        )
    if scheme == "http" and not is_loopback_host(host):
        yield (
            f"{source} uses plain http:// to {host}: keys and tokens would cross the network "
            "unencrypted. Use https:// unless this is a local test server."
        )


@dataclass(frozen=True)
class Endpoint:
    """The live endpoint of a run and the flag or variable it came from."""

    source: str
    base_url: str
    resource: str | None


def resolve_endpoint(
    resource: str | None, base_url: str | None, env: Mapping[str, str], remarks: Remarks
) -> Endpoint | None:
    """The endpoint from flags, else from the variables; ``None`` when neither gives one."""
    flags = [
        (s, v) for s, v in (("--resource", resource), ("--base-url", base_url)) if v is not None
    ]
    variables = [(s, env[s]) for s in (ENV_RESOURCE, ENV_BASE_URL) if env.get(s)]
    if len(flags) == 2:
        raise ConfigError(
            "--resource and --base-url are both given; they are mutually exclusive, as in the "
            "official SDK.",
            f"Give one: --resource NAME builds https://NAME{FOUNDRY_HOST_SUFFIX}/anthropic/, and "
            "--base-url URL is for any other endpoint.",
            source="--resource and --base-url",
            code=CONFIG_CONFLICT,
        )
    if flags:
        source, value = flags[0]
        remarks.notes.extend(f"{source} given: {name} is ignored." for name, _ in variables)
    elif len(variables) == 2:
        raise ConfigError(
            f"{ENV_RESOURCE} and {ENV_BASE_URL} are both set; they are mutually exclusive (the "
            "official SDK refuses them too: 'base_url and resource are mutually exclusive').",
            "Unset one of them, or override both for this run with --resource NAME or "
            "--base-url URL.",
            source=f"{ENV_RESOURCE} and {ENV_BASE_URL}",
            code=CONFIG_CONFLICT,
        )
    elif variables:
        source, value = variables[0]
    else:
        return None
    if source in ("--resource", ENV_RESOURCE):
        name = validate_resource_name(value, source)
        return Endpoint(source, f"https://{name}{FOUNDRY_HOST_SUFFIX}/anthropic/", name)
    parsed = normalize_base_url(value, source)
    remarks.warnings.extend(parsed.warnings)
    return Endpoint(source, parsed.url, parsed.resource)

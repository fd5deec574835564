"""Validation of the endpoint: a Foundry resource name, or a base URL (``base_url.py``), from the
flags or the variables, in the SDK's precedence.

Pure: no I/O and no third-party imports. A value shown back in a message is quoted and cut.
Mistakes seen in the field get their own message: a URL or host name given as the resource, both
a resource and a base URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..core.constants import ENV_BASE_URL, ENV_RESOURCE
from ..core.errors import CONFIG_CONFLICT, ConfigError
from .base_url import (
    FOUNDRY_HOST_SUFFIX,
    RESOURCE_NAME_PATTERN,
    normalize_base_url,
    resource_label,
)
from .values import Remarks, show, spell

# Where the resource and the base URL of each precedence level are given.
OTHER_ENDPOINT_SOURCE = {
    "--resource": "--base-url",
    "--base-url": "--resource",
    ENV_RESOURCE: ENV_BASE_URL,
    ENV_BASE_URL: ENV_RESOURCE,
}


def _host_fix(host: str, source: str) -> str:
    """The fix for a host name (or URL) given where a bare resource name belongs."""
    other = OTHER_ENDPOINT_SOURCE.get(source, "--base-url")
    label = resource_label(host)
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

"""Validation of single configuration values; each failure is a ``ConfigError`` with its fix.

Pure: no I/O and no third-party imports. ``conformance.config`` combines these validators into the
precedence rules (the endpoint's own rules are in ``config_endpoint``); they live apart so that
each rule about one value can be read, and tested, alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeVar
from urllib.parse import urlsplit

from ..core import catalog
from ..core.constants import ENV_ENTRA_TOKEN
from ..core.errors import ConfigError, TokenFormatError, UnknownSelection
from ..core.faults import parse_fault_profiles
from ..core.jwt_claims import TokenClaims, read_claims, scope_to_audience
from ..core.suggest import closest

DEPLOYMENT_NAME_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")


def token_command(scope: str) -> str:
    """The ``az`` command that prints a token for ``scope`` (its resource is the audience)."""
    return (
        f"az account get-access-token --resource {scope_to_audience(scope)} "
        "--query accessToken -o tsv"
    )


def show(value: str, limit: int = 80) -> str:
    """``value`` quoted for a message, control characters escaped and long values cut."""
    cut = value if len(value) <= limit else value[:limit] + "…"
    return repr(cut)


def is_plain(value: str, limit: int = 80) -> bool:
    """Whether ``value`` can be repeated unquoted in a message: short, printable ASCII, no spaces."""
    return 0 < len(value) <= limit and all("!" <= ch <= "~" for ch in value)


def show_path(path: object) -> str:
    """A path for a message: as is when plain, quoted when it holds spaces or control characters."""
    text = str(path)
    return text if is_plain(text, limit=200) else show(text, limit=200)


def spell(source: str, value: str) -> str:
    """How to give ``value`` through ``source``: ``--flag VALUE`` or ``VARIABLE=VALUE``."""
    if not is_plain(value, limit=200):
        value = show(value)  # a suggestion built from bad input stays one quoted line
    return f"{source} {value}" if source.startswith("-") else f"{source}={value}"


@dataclass
class Remarks:
    """Notes (informational) and warnings gathered while resolving, shown before the run."""

    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def split_values(values: Iterable[str] | None) -> list[str]:
    """Repeated option values, each possibly comma-separated, stripped, empties dropped."""
    return [item.strip() for value in values or () for item in value.split(",") if item.strip()]


def dedupe(values: Iterable[str]) -> tuple[str, ...]:
    """``values`` without repeats, first occurrence kept."""
    return tuple(dict.fromkeys(values))


def normalize_deployments(values: Sequence[str] | None) -> tuple[str, ...]:
    """Deployment names, validated and de-duplicated (none given: the run discovers them; an
    empty one given is a mistake, never a request to discover them)."""
    for value in values or ():
        if not value.strip():
            raise ConfigError(
                f"--deployment {show(value)} is empty.",
                "Give the name shown under Deployments in the Foundry portal (--deployment NAME), "
                "or leave --deployment out to test the default names the resource serves.",
                source="--deployment",
            )
        if any(not item.strip() for item in value.split(",")):
            raise ConfigError(
                f"--deployment {show(value)} holds an empty name between its commas.",
                "Separate deployment names with single commas (--deployment A,B), or repeat "
                "--deployment NAME once per name.",
                source="--deployment",
            )
    names = split_values(values)
    for name in names:
        if not DEPLOYMENT_NAME_PATTERN.fullmatch(name):
            raise ConfigError(
                f"--deployment {show(name)} is not a valid deployment name.",
                "Deployment names are 1 to 64 letters, digits, '.', '_' and '-': use the name "
                "shown under Deployments in the Foundry portal, one --deployment per name.",
                source="--deployment",
            )
    return dedupe(names)


def validate_scope(value: str, known: Sequence[str], source: str = "--entra-scope") -> str:
    """``value`` as an Entra ID scope: an https URL ending in ``/.default`` (``known``: the
    scopes the platform profile knows, for the suggestion)."""
    scope = value.strip()
    bare = scope.removeprefix("https://").removeprefix("http://").rstrip("/")
    # The suggestion repeats the value unquoted: only a short, plain one is worth repeating.
    suggestion = (
        f"https://{bare.removesuffix('/.default')}/.default" if is_plain(bare) else known[0]
    )
    if scope.startswith("https://") and scope.endswith("/.default") and _has_host(scope):
        return scope
    if scope.startswith("https://") and not scope.endswith("/.default"):
        problem = (
            f"{source} {show(scope)} is a resource (audience), not a scope: a scope ends in "
            "/.default (az account get-access-token --resource takes the form without it)."
        )
    else:
        problem = f"{source} {show(scope)} is not an https URL ending in /.default."
    raise ConfigError(
        problem,
        f"Use {spell(source, suggestion)}; the known scopes are {', '.join(known)}.",
        source=source,
    )


def _has_host(url: str) -> bool:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return bool(host) and not any(ch.isspace() for ch in url)


def alternate_scope(scope: str, known: Sequence[str]) -> str:
    """The other known Entra scope (the first known one when ``scope`` is not a known one)."""
    wanted = scope.strip().rstrip("/").lower()
    return next(s for s in known if s.lower() != wanted)


E = TypeVar("E", bound=StrEnum)


def parse_choice(value: str, choices: type[E], source: str) -> E:
    """``value`` as a member of ``choices``, or an error listing the valid names."""
    try:
        return choices(value.strip().lower())
    except ValueError:
        names = [member.value for member in choices]
        near = closest(value.strip(), names)
        hint = f"Did you mean {spell(source, near)}? " if near else ""
        raise ConfigError(
            f"{source} {show(value)} is not one of the valid values.",
            f"{hint}Use one of: {', '.join(names)}.",
            source=source,
        ) from None


def parse_int(value: int | str | None, source: str, *, default: int, minimum: int = 1) -> int:
    """An integer option (given as a number or text) of at least ``minimum``."""
    if value is None:
        return default
    try:
        number = value if isinstance(value, int) else int(str(value).strip())
    except ValueError:
        number = None
    if number is None or isinstance(number, bool) or number < minimum:
        raise ConfigError(
            f"{source} {show(str(value))} is not a whole number of at least {minimum}.",
            f"Give a number like {spell(source, str(max(default, minimum)))}.",
            source=source,
        )
    return number


# ``--jobs auto``: checks that wait on an endpoint overlap; a replay has nothing to wait for.
AUTO_JOBS = 4
MAX_JOBS = 32


def parse_jobs(value: int | str | None, *, replay: bool) -> int:
    """``--jobs``: a number from 1 to 32, or ``auto`` (4, or 1 for a replay, which is all CPU)."""
    if value is None or str(value).strip() in ("", "auto"):
        return 1 if replay else AUTO_JOBS
    try:
        jobs = value if isinstance(value, int) else int(str(value).strip())
    except ValueError:
        jobs = 0
    if isinstance(jobs, bool) or not 1 <= jobs <= MAX_JOBS:
        raise ConfigError(
            f"--jobs {show(str(value))} is not a number of checks to run at once from 1 to "
            f"{MAX_JOBS}.",
            "Give --jobs 4 (or --jobs auto, the default; --jobs 1 runs the checks one by one).",
            source="--jobs",
        )
    return jobs


def parse_float(
    value: float | str | None,
    source: str,
    *,
    default: float,
    maximum: float,
    unit: str = "seconds",
) -> float:
    """A positive number option (in ``unit``), at most ``maximum``."""
    if value is None:
        return default
    try:
        number = float(value) if not isinstance(value, bool) else float("nan")
    except ValueError:
        number = float("nan")
    # 'not (0 < x <= max)' also rejects NaN, which every comparison fails.
    if not 0 < number <= maximum:
        raise ConfigError(
            f"{source} {show(str(value))} is not a number of {unit} above 0 and at most "
            f"{maximum:g}.",
            f"Give a value like {spell(source, f'{default:g}')}.",
            source=source,
        )
    return number


def validate_selection(selectors: tuple[str, ...], suite: str | None) -> tuple[str, ...]:
    """``--select`` values, each naming a check ID, an ID prefix or an area of the catalog."""
    for selector in selectors:
        try:
            catalog.select(suite or "standard", [selector])
        except UnknownSelection:
            # A prefix is offered for what looks like one (``AUHT-``), not for every mistyped ID.
            prefixes = {i.split("-")[0] + "-" for i in catalog.BY_ID if selector.endswith("-")}
            near = closest(selector.strip(), [*catalog.BY_ID, *sorted(prefixes), *catalog.AREAS])
            hint = f"Did you mean {spell('--select', near)}? " if near else ""
            raise ConfigError(
                f"--select {show(selector)} names no check of the catalog.",
                f"{hint}Give a check ID (--select MSG-BASIC), an ID prefix (--select AUTH-) or an "
                f"area: {', '.join(catalog.AREAS)}.",
                source="--select",
            ) from None
    return selectors


def unsafe_character(value: str) -> tuple[int, str] | None:
    """The first character of ``value`` that no URL or header should hold, as (its position
    from 1, what it is): a space or other whitespace, a line break or control character, an
    invisible formatting character (a zero-width space, a direction mark), a non-ASCII one."""
    for position, char in enumerate(value, start=1):
        if "!" <= char <= "~":
            continue
        if char == " ":
            return position, "a space"
        if char in "\r\n" or unicodedata.category(char) == "Cc":
            return position, "a line break or control character"
        if char.isspace():
            return position, "a whitespace character"
        if unicodedata.category(char) in ("Cf", "Co", "Cs", "Cn"):
            return position, "an invisible formatting character"
        return position, "a non-ASCII character"
    return None


def require_header_safe(value: str, source: str, what: str) -> None:
    """Refuse a credential that no HTTP header can carry, or that holds what no credential does
    (a space, a line break, a control or invisible character, a non-ASCII letter): sent, it would
    fail inside the HTTP client, or be refused, on every request and say nothing useful. The
    value itself is never shown, not even in part."""
    found = unsafe_character(value)
    if found is None:
        return
    position, kind = found
    carried = "no credential holds" if "space" in kind else "no HTTP header can carry"
    raise ConfigError(
        f"{source} holds {kind} (character {position} of {len(value)}), which {carried}: the "
        "value was probably pasted with part of another line or a formatting character.",
        f"Set {source} to {what} alone, with nothing before or after it.",
        source=source,
    )


def validate_profiles(value: str) -> str:
    """``--emulator`` profiles, comma-separated (``slow=0.5`` takes a value); "" is ``default``."""
    names = split_values([value]) or ["default"]
    try:
        parse_fault_profiles(names)
    except ValueError as exc:
        raise ConfigError(
            f"--emulator {show(value)}: {exc}.",
            "Name profiles separated by commas: --emulator PROFILE[,PROFILE=SECONDS...]; "
            "`foundry-conformance run --help` lists them, each with what it switches on.",
            source="--emulator",
        ) from None
    return ",".join(dedupe(names))


def read_env_token(
    value: str, now: datetime, remarks: Remarks, command: str
) -> tuple[str, TokenClaims | None]:
    """The token from ``FOUNDRY_CONFORMANCE_ENTRA_TOKEN`` as it will be sent, and its claims
    (``command``: the ``az`` command that fetches a right one, for the messages)."""
    token = value.strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
        remarks.notes.append(f"{ENV_ENTRA_TOKEN} starts with 'Bearer ': the prefix is dropped.")
    if token.startswith("{"):
        raise ConfigError(
            f"{ENV_ENTRA_TOKEN} holds JSON, not a token (the whole output of "
            "az account get-access-token?).",
            f"Store only the token: {ENV_ENTRA_TOKEN}=$({command}).",
            source=ENV_ENTRA_TOKEN,
        )
    require_header_safe(token, ENV_ENTRA_TOKEN, f"the token that `{command}` prints")
    try:
        # Read locally and never verified: the claims only explain what the endpoint will say.
        claims = read_claims(token)
    except TokenFormatError as exc:
        remarks.warnings.append(
            f"{ENV_ENTRA_TOKEN} is not a readable JWT ({exc}); it is sent as is, and the Entra "
            "checks will show how the endpoint answers."
        )
        return token, None
    if claims.expires_at is not None and claims.is_expired(now):
        remarks.warnings.append(
            f"The token in {ENV_ENTRA_TOKEN} expired at {claims.expires_at.isoformat()} (Entra "
            "tokens last about an hour): fetch a new one right before the run."
        )
    return token, claims


def scope_for_token(
    given: str | None, known: Sequence[str], claims: TokenClaims | None, remarks: Remarks
) -> str:
    """The Entra scope of the run: ``--entra-scope``, else the known scope the env token is for
    (``known``: the platform's scopes, the default first)."""
    scope = validate_scope(given, known) if given else known[0]
    if claims is None or not claims.audience or claims.has_audience(scope_to_audience(scope)):
        return scope
    other = alternate_scope(scope, known)
    if not given and claims.has_audience(scope_to_audience(other)):
        remarks.notes.append(
            f"--entra-scope not given: using {other}, the audience of the token in "
            f"{ENV_ENTRA_TOKEN}."
        )
        return other
    remarks.warnings.append(
        f"The token in {ENV_ENTRA_TOKEN} is for {', '.join(claims.audience)}, not {scope}: "
        "Foundry will refuse it (the Entra checks send it, and the report says why); get one "
        f"with `{token_command(known[0])}`."
    )
    return scope

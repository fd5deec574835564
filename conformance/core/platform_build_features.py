"""Building the profile's feature tables: what marks each feature on the wire (``[markers]``) and
what each capability probe relies on (``[capabilities]``), checked against the rest of the
profile (a marker or a capability names a feature some hosting option lists; a beta value the
profile accepts; a listing route it knows). Pure; used by ``platform_build``."""

from __future__ import annotations

from collections.abc import Callable

from .capability import CAPABILITY_CHECKS
from .platform import CapabilityFacts, Marker, PlatformProfile, Provenance
from .strict_toml import StrictTable

RULES: tuple[str, ...] = ("thinking.adaptive", "thinking.enabled", "thinking.disabled")
RULES += ("effort", "mid_conversation_system")
MARKER_KEYS = ("fields", "tools", "tool_flags", "source_types")
PROVENANCE_KEYS = ("source", "confidence", "note")
CHECK_IDS = tuple(check_id for check_id, *_ in CAPABILITY_CHECKS)
TTLS = ("5m", "1h")  # the cache TTLs the Messages API takes


def build_markers(table: StrictTable) -> dict[str, Marker]:
    """``[markers.<feature>]``: one ``Marker`` per feature (the table's provenance is read by
    the caller)."""
    markers: dict[str, Marker] = {}
    for key in table.data:
        if key in PROVENANCE_KEYS:
            continue
        entry = table.sub(key)
        marker = Marker(*(entry.texts(name, ()) for name in MARKER_KEYS))
        if not any((marker.fields, marker.tools, marker.tool_flags, marker.source_types)):
            marks = ", ".join(MARKER_KEYS)
            raise entry.error(f"{table.where}: {entry.path} names no mark ({marks}).")
        entry.done()
        markers[key] = marker
    return markers


def build_capabilities(
    table: StrictTable, provenance: Callable[[StrictTable], Provenance]
) -> dict[str, CapabilityFacts]:
    """``[capabilities.<CHECK-ID>]``: what each capability probe relies on."""
    found: dict[str, CapabilityFacts] = {}
    for key in table.data:
        entry = table.sub(key)
        if key not in CHECK_IDS:
            raise entry.error(
                f"{table.where}: {entry.path} is not a capability check of the catalog; the "
                f"capabilities are {', '.join(CHECK_IDS)}."
            )
        rule = entry.opt_str("rule")
        if rule is not None and rule not in RULES:
            raise entry.error(f"{table.where}: {entry.path}.rule is {rule!r}; use one of {RULES}.")
        found[key] = CapabilityFacts(
            id=key,
            provenance=provenance(entry),
            feature=entry.opt_str("feature"),
            rule=rule,
            tool_type=entry.opt_str("tool_type"),
            tool_name=entry.opt_str("tool_name"),
            beta=entry.opt_str("beta"),
            api=entry.opt_str("api"),
            ttl=entry.opt_str("ttl"),
            edit=entry.opt_str("edit"),
        )
        if found[key].feature is None and rule is None:
            raise entry.error(f"{table.where}: {entry.path} needs a feature or a rule.")
        if found[key].ttl not in (None, *TTLS):
            raise entry.error(
                f"{table.where}: {entry.path}.ttl is {found[key].ttl!r}; use one of {TTLS}."
            )
        entry.done()
    table.done()
    return found


def check_feature_references(
    profile: PlatformProfile, where: str, error: Callable[[str], Exception]
) -> None:
    """Markers and capabilities name features, betas and routes the profile knows."""
    features = {name for option in profile.hosting.values() for name in option.features}
    apis = {route.name for route in profile.hosted_routes}
    for name in profile.markers:
        if name not in features:
            raise error(f"{where}: markers.{name} is not a feature of any [hosting] option.")
    for facts in profile.capabilities.values():
        at = f"{where}: capabilities.{facts.id}"
        if facts.feature is not None and facts.feature not in features:
            raise error(f"{at}.feature {facts.feature!r} is no feature of a [hosting] option.")
        if facts.beta is not None and facts.beta not in profile.beta_values:
            raise error(f"{at}.beta {facts.beta!r} is not one of api.betas.values.")
        if facts.api is not None and facts.api not in apis:
            raise error(f"{at}.api {facts.api!r} is not an api of [[api.hosted]].")
    minimums: list[tuple[str, int | None]] = [("api.cache_min_tokens", profile.cache_min_tokens)]
    minimums += [(f"model {m.id}: cache_min_tokens", m.cache_min_tokens) for m in profile.models]
    for name, tokens in minimums:
        if tokens is not None and tokens < 1:
            raise error(f"{where}: {name} is {tokens}; a cacheable prefix is at least 1 token.")

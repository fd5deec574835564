"""Building the typed ``PlatformProfile`` from a profile's TOML document, field by field.

Every value is type-checked, every unknown key is an error (a typo in a user's file must not pass
silently), every cited source must exist, and the names that point elsewhere in the profile
(hosting options, the emulator's deployments) must resolve. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from .errors import InputError
from .platform import (
    CONFIDENCES,
    EFFORT_LEVELS,
    ApiVersion,
    Client,
    Feature,
    FeatureRefusal,
    HostingOption,
    Model,
    PlatformProfile,
    Provenance,
    Quota,
    QuotaModel,
    Role,
    Route,
    Scope,
    Source,
    Support,
    Wording,
)
from .platform_build_features import (
    build_capabilities,
    build_markers,
    check_feature_references,
)
from .strict_toml import StrictTable

SCHEMA = "foundry-conformance.platform/1"
T = TypeVar("T")
USER_SOURCE = "user-profile"
SUPPORT = ("supported", "unsupported", "conflicting", "unknown")
STAGES = ("ga", "preview", "gated-preview")


class ProfileError(InputError):
    """A platform profile that cannot be used; the message names the file and the field."""


def _provenance(
    table: StrictTable, prefix: str = "", sources: Mapping[str, Source] | None = None
) -> Provenance:
    cited = table.texts(f"{prefix}source", ())
    confidence = table.text(f"{prefix}confidence", "unknown")
    if confidence not in CONFIDENCES:
        raise ProfileError(
            f"{table.where}: {table._name(prefix + 'confidence')} is {confidence!r}; use one "
            f"of {', '.join(CONFIDENCES)}."
        )
    for source in cited:
        if sources is not None and source not in sources:
            raise ProfileError(
                f"{table.where}: {table._name(prefix + 'source')} cites {source!r}, which "
                "[sources] does not define."
            )
    note = table._get(f"{prefix}note", str, "")
    return Provenance(cited, confidence, note)


def build_profile(document: dict[str, Any], origin: str, where: str) -> PlatformProfile:
    top = StrictTable(document, "", where, ProfileError, "a platform profile")
    top.text("schema", SCHEMA)
    sources = _sources(top.sub("sources"), where)
    p = _Reader(sources)
    api = top.sub("api")
    betas = api.sub("betas")
    entra, roles, deployments = top.sub("entra"), top.sub("roles"), top.sub("deployments")
    errors = top.sub("errors")
    markers = top.sub("markers", {})
    profile = PlatformProfile(
        version=top.text("version"),
        date=top.text("date"),
        title=top.text("title", ""),
        origin=origin,
        sources=sources,
        hosting=_each_table(top.sub("hosting"), lambda key, t: _hosting(key, t, p)),
        api_versions=tuple(_api_version(t, p) for t in api.subs("version")),
        documented_version=api.text("documented_version"),
        max_request_bytes=api.number("max_request_bytes"),
        beta_values=frozenset(betas.texts("values")),
        unsupported=tuple(_route(t, p, "name") for t in api.subs("unsupported")),
        hosted_routes=tuple(_route(t, p, "api") for t in api.subs("hosted")),
        rate_limit_headers=api.texts("rate_limit_headers"),
        rate_limit_header_prefix=api.text("rate_limit_header_prefix"),
        default_scope=entra.text("default_scope"),
        scopes=tuple(_scope(t, p) for t in entra.subs("scope")),
        data_plane_roles=tuple(_role(t, p) for t in roles.subs("data_plane")),
        not_data_plane_roles=roles.texts("not_data_plane"),
        role_renames=_str_map(roles.sub("renamed")),
        quota=_quota(top.sub("quota"), p),
        errors=_each_table(errors, lambda key, t: _wording(t, p), skip=("feature_refusal",)),
        feature_refusals=tuple(_refusal(t, p) for t in errors.subs("feature_refusal")),
        feature_names=_str_map(errors.sub("feature_names")),
        clients=_each_table(top.sub("clients"), lambda key, t: _client(key, t, p)),
        emulator_deployments=deployments.texts("emulator"),
        models=tuple(_model(t, p) for t in top.subs("model")),
        markers=build_markers(markers),
        capabilities=build_capabilities(top.sub("capabilities", {}), p.of),
        cache_min_tokens=api.number("cache_min_tokens", 1024),
        facts={
            "api.cache_min_tokens": _provenance(api, "cache_min_tokens_", sources),
            "markers": _provenance(markers, "", sources),
            "api.max_request_bytes": _provenance(api, "max_request_bytes_", sources),
            "api.rate_limit_headers": _provenance(api, "rate_limit_headers_", sources),
            "api.betas": _provenance(betas, "", sources),
            "entra.default_scope": _provenance(entra, "", sources),
            "entra.roles_in_token": _provenance(entra, "roles_in_token_", sources),
            "roles.not_data_plane": _provenance(roles, "not_data_plane_", sources),
            "roles.renamed": _provenance(roles, "renamed_", sources),
            "deployments": _provenance(deployments, "", sources),
        },
    )
    api.flag("beta_query_tolerated", True)
    entra.flag("roles_in_token", False)
    for table in (api, betas, entra, roles, deployments, errors, markers):
        table.done()
    top.done()
    _check_references(profile, where)
    check_feature_references(profile, where, ProfileError)
    return profile


class _Reader:
    """Reads provenance against the profile's sources."""

    def __init__(self, sources: Mapping[str, Source]) -> None:
        self.sources = sources

    def of(self, table: StrictTable, prefix: str = "") -> Provenance:
        return _provenance(table, prefix, self.sources)


def _sources(table: StrictTable, where: str) -> dict[str, Source]:
    sources = {USER_SOURCE: Source(USER_SOURCE, f"--platform-profile {where}", where, "")}
    for key in table.data:
        entry = table.sub(key)
        sources[key] = Source(
            key, entry.text("title"), entry.text("url", ""), entry.text("date", "")
        )
        entry.done()
    table.done()
    return sources


def _each_table(
    table: StrictTable, build: Callable[[str, StrictTable], T], skip: tuple[str, ...] = ()
) -> dict[str, T]:
    out: dict[str, T] = {}
    for key in table.data:
        if key in skip or key == "feature_names":
            table.read.add(key)
            continue
        entry = table.sub(key)
        out[key] = build(key, entry)
        entry.done()
    return out


def _str_map(table: StrictTable) -> dict[str, str]:
    out = {}
    for key, value in table.data.items():
        if not isinstance(value, str):
            raise ProfileError(f"{table.where}: {table.path}.{key} must be a string.")
        out[key.lower()] = value
        table.read.add(key)
    table.done()
    return out


def _hosting(key: str, t: StrictTable, p: _Reader) -> HostingOption:
    features_table = t.sub("features")
    features: dict[str, Feature] = {}
    for name in features_table.data:
        entry = features_table.sub(name)
        status = entry.text("status")
        if status not in SUPPORT:
            raise ProfileError(f"{t.where}: {entry.path}.status is {status!r}; use {SUPPORT}.")
        features[name] = Feature(cast(Support, status), p.of(entry))
        entry.done()
    features_table.done()
    return HostingOption(
        id=key,
        name=t.text("name"),
        portal_version=t.text("portal_version", ""),
        default=t.flag("default"),
        apis=t.texts("apis"),
        deployment_types=t.texts("deployment_types", ()),
        features=features,
        provenance=p.of(t),
    )


def _api_version(t: StrictTable, p: _Reader) -> ApiVersion:
    version = ApiVersion(t.text("value"), t.texts("clients", ()), t.flag("accepted", True), p.of(t))
    t.done()
    return version


def _route(t: StrictTable, p: _Reader, name_key: str) -> Route:
    route = Route(t.text(name_key), t.text("method").upper(), t.text("path"), p.of(t))
    t.done()
    return route


def _scope(t: StrictTable, p: _Reader) -> Scope:
    scope = Scope(t.text("value"), t.text("audience"), t.flag("accepted", True), p.of(t))
    t.done()
    return scope


def _role(t: StrictTable, p: _Reader) -> Role:
    role = Role(t.text("name"), p.of(t), t.opt_str("formerly"))
    t.done()
    return role


def _quota_of(t: StrictTable) -> Quota:
    quota = Quota(t.number("rpm", 0), t.number("itpm", 0), t.number("otpm", 0))
    t.done()
    return quota


def _quota(t: StrictTable, p: _Reader) -> QuotaModel:
    counters = t.sub("counters")
    names = {key: counters.text(key) for key in ("requests", "input_tokens", "output_tokens")}
    model = QuotaModel(
        scope=t.text("scope"),
        pooling=t.text("pooling", ""),
        window_s=t.number("window_s"),
        payg=_quota_of(t.sub("payg")),
        enterprise=_quota_of(t.sub("enterprise")),
        free_trial=_quota_of(t.sub("free_trial")),
        unsupported_subscriptions=t.texts("unsupported_subscriptions", ()),
        counters=names,
        provenance=p.of(t),
        counters_provenance=p.of(counters),
    )
    counters.done()
    t.done()
    return model


def _wording(t: StrictTable, p: _Reader) -> Wording:
    return Wording(t.text("text"), p.of(t), t.opt_str("code"), t._get("status", int, None))


def _refusal(t: StrictTable, p: _Reader) -> FeatureRefusal:
    text = t.text("pattern")
    try:
        pattern = re.compile(text, re.IGNORECASE)
    except re.error as exc:
        raise ProfileError(
            f"{t.where}: {t.path}.pattern is not a regular expression: {exc}."
        ) from None
    if "features" not in pattern.groupindex:
        raise ProfileError(f"{t.where}: {t.path}.pattern needs a (?P<features>…) group.")
    refusal = FeatureRefusal(pattern, p.of(t))
    t.done()
    return refusal


def _client(key: str, t: StrictTable, p: _Reader) -> Client:
    return Client(
        name=key,
        version=t.text("version"),
        anthropic_version=t.text("anthropic_version"),
        beta_query=t.flag("beta_query"),
        provenance=p.of(t),
        deployments=t.texts("deployments", ()),
        betas=t.texts("betas", ()),
        max_tokens=t._get("max_tokens", int, None),
    )


def _model(t: StrictTable, p: _Reader) -> Model:
    hosting = t.sub("hosting", {})
    stages = {}
    for option, stage in hosting.data.items():
        if stage not in STAGES:
            raise ProfileError(f"{t.where}: {hosting.path}.{option} is {stage!r}; use {STAGES}.")
        stages[option] = stage
        hosting.read.add(option)
    hosting.done()
    quota = t.sub("quota", {}) if "quota" in t.data else None
    model = Model(
        id=t.text("id").lower(),
        family=t.text("family", ""),
        hosting=stages,
        context_window=t.number("context_window"),
        max_output=t.number("max_output"),
        thinking=t.texts("thinking"),
        effort=t.texts("effort", ()),
        mid_conversation_system=t.flag("mid_conversation_system"),
        provenance=p.of(t),
        lifecycle_provenance=p.of(t, "lifecycle_") if "lifecycle_source" in t.data else p.of(t),
        data_zone=t.flag("data_zone"),
        thinking_disabled_max_effort=t.opt_str("thinking_disabled_max_effort"),
        entra_only=t.flag("entra_only"),
        refusal_stop_reason=t.flag("refusal_stop_reason"),
        end_of_life=t.day("end_of_life"),
        retired=t.flag("retired"),
        successor=t.opt_str("successor"),
        aliases=tuple(a.lower() for a in t.texts("aliases", ())),
        quota=_quota_of(quota) if quota is not None else None,
        cache_min_tokens=t._get("cache_min_tokens", int, None),
    )
    for name in ("lifecycle_source", "lifecycle_confidence", "lifecycle_note"):
        t.read.add(name)
    t.done()
    levels = {*model.effort, model.thinking_disabled_max_effort or "low"}
    if not levels <= set(EFFORT_LEVELS):
        raise ProfileError(f"{t.where}: {t.path}.effort uses levels outside {EFFORT_LEVELS}.")
    return model


def _check_references(profile: PlatformProfile, where: str) -> None:
    """Names that point elsewhere in the profile must exist there."""
    ids = {m.id for m in profile.models}
    for model in profile.models:
        unknown = set(model.hosting) - set(profile.hosting)
        if unknown:
            raise ProfileError(
                f"{where}: model {model.id} names the hosting option {sorted(unknown)[0]!r}, "
                f"which [hosting] does not define ({', '.join(profile.hosting)})."
            )
    for name in profile.emulator_deployments:
        if name not in ids:
            raise ProfileError(f"{where}: deployments.emulator names {name!r}, not a model.")
    if sum(h.default for h in profile.hosting.values()) != 1:
        raise ProfileError(f"{where}: exactly one [hosting] option must have default = true.")
    if profile.documented_version not in {v.value for v in profile.api_versions}:
        raise ProfileError(f"{where}: api.documented_version is not one of the api.version values.")

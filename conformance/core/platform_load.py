"""Reading a platform profile: the built-in ``platform.toml``, extended by a user's file.

A user's ``--platform-profile FILE`` has the same tables as the built-in one; it is merged onto it
(tables key by key; ``[[model]]`` entries by ``id``, other arrays of tables by their natural key;
``api.betas.values`` grows, other arrays are replaced), so that a file with one ``[[model]]`` adds
that model the day it ships, without a release. A fact the user's file adds without a source cites
the file itself, with the confidence ``reported``. Every problem is a ``ProfileError`` naming the
file and the field. Pure: reads files, imports nothing beyond the standard library.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
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

SCHEMA = "foundry-conformance.platform/1"
BUILT_IN = "built-in"
USER_SOURCE = "user-profile"
# A profile is a page of facts; a file far larger than the built-in one is not a profile.
MAX_PROFILE_BYTES = 1 << 20
SUPPORT = ("supported", "unsupported", "conflicting", "unknown")
STAGES = ("ga", "preview", "gated-preview")
# Arrays of tables merged entry by entry, on these keys; api.betas.values grows.
MERGE_KEYS = {
    "model": ("id",),
    "api.version": ("value",),
    "api.unsupported": ("method", "path"),
    "api.hosted": ("api",),
    "entra.scope": ("value",),
    "roles.data_plane": ("name",),
    "errors.feature_refusal": ("pattern",),
}
GROWING_ARRAYS = ("api.betas.values",)

T = TypeVar("T")


class ProfileError(InputError):
    """A platform profile that cannot be used; the message names the file and the field."""


@cache
def builtin_profile() -> PlatformProfile:
    """The profile shipped with the package."""
    return _build(_builtin_document(), BUILT_IN, BUILT_IN)


def load_profile(path: Path | None = None) -> PlatformProfile:
    """The built-in profile, extended by the file at ``path`` (if given)."""
    if path is None:
        return builtin_profile()
    document = _merge(_builtin_document(), _read_user_file(path), "")
    return _build(document, f"{BUILT_IN} + {path}", str(path))


def _builtin_document() -> dict[str, Any]:
    text = resources.files("conformance.core").joinpath("platform.toml").read_text("utf-8")
    return tomllib.loads(text)


def _read_user_file(path: Path) -> dict[str, Any]:
    where = f"--platform-profile {path}"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileError(f"{where} cannot be read ({exc.strerror or exc}).") from None
    if len(raw) > MAX_PROFILE_BYTES:
        raise ProfileError(
            f"{where} is {len(raw)} bytes, more than a profile's {MAX_PROFILE_BYTES}: it is not "
            "a platform profile."
        )
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProfileError(f"{where} is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{where} is not valid TOML: {exc}.") from None
    document.pop("schema", None) if document.get("schema") == SCHEMA else None
    if "schema" in document:
        raise ProfileError(f"{where}: schema is {document['schema']!r}, not {SCHEMA!r}.")
    _mark_user_facts(document)
    return document


def _mark_user_facts(document: dict[str, Any]) -> None:
    """Facts the user's file adds cite the file unless they cite a source of their own."""
    for model in document.get("model", []):
        if isinstance(model, dict):
            model.setdefault("source", [USER_SOURCE])
            model.setdefault("confidence", "reported")


def _merge(base: Any, extra: Any, path: str) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        merged = dict(base)
        for key, value in extra.items():
            sub = f"{path}.{key}" if path else key
            merged[key] = _merge(base[key], value, sub) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(extra, list):
        if path in MERGE_KEYS:
            return _merge_entries(base, extra, MERGE_KEYS[path], path)
        if path in GROWING_ARRAYS:
            return list(dict.fromkeys([*base, *extra]))
    return extra


def _merge_entries(base: list[Any], extra: list[Any], keys: tuple[str, ...], path: str) -> Any:
    merged = list(base)
    for entry in extra:
        if not isinstance(entry, dict):
            merged.append(entry)  # the validation names it
            continue
        key = tuple(entry.get(k) for k in keys)
        index = next(
            (i for i, e in enumerate(merged) if isinstance(e, dict) and _key(e, keys) == key), None
        )
        if index is None:
            merged.append(entry)
        else:
            merged[index] = _merge(merged[index], entry, path + "[]")
    return merged


def _key(entry: dict[str, Any], keys: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(entry.get(k) for k in keys)


# -- validation ------------------------------------------------------------------------------


class _Table:
    """A TOML table being read: every value is typed, every unknown key is an error."""

    def __init__(self, data: Any, path: str, where: str) -> None:
        if not isinstance(data, dict):
            raise ProfileError(f"{where}: {path or 'the file'} must be a table.")
        self.data: dict[str, Any] = data
        self.path = path
        self.where = where
        self.read: set[str] = set()

    def _name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _get(self, key: str, kind: type[T] | tuple[type, ...], default: Any) -> Any:
        self.read.add(key)
        if key not in self.data:
            if default is _REQUIRED:
                raise ProfileError(f"{self.where}: {self._name(key)} is missing.")
            return default
        value = self.data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ProfileError(f"{self.where}: {self._name(key)} has the wrong type ({value!r}).")
        return value

    def text(self, key: str, default: Any = None) -> str:
        return cast(str, self._get(key, str, _REQUIRED if default is None else default))

    def opt_str(self, key: str) -> str | None:
        return cast("str | None", self._get(key, str, None))

    def number(self, key: str, default: Any = None) -> int:
        return cast(int, self._get(key, int, _REQUIRED if default is None else default))

    def flag(self, key: str, default: bool = False) -> bool:
        return cast(bool, self._get(key, bool, default))

    def texts(self, key: str, default: Any = None) -> tuple[str, ...]:
        values = self._get(key, list, _REQUIRED if default is None else default)
        if not all(isinstance(v, str) for v in values):
            raise ProfileError(f"{self.where}: {self._name(key)} must be a list of strings.")
        return tuple(values)

    def sub(self, key: str, default: Any = None) -> _Table:
        value = self._get(key, dict, _REQUIRED if default is None else default)
        return _Table(value, self._name(key), self.where)

    def subs(self, key: str) -> list[_Table]:
        values = self._get(key, list, [])
        return [_Table(v, f"{self._name(key)}[{i}]", self.where) for i, v in enumerate(values)]

    def day(self, key: str) -> date | None:
        value = self._get(key, (str, date), None)
        if value is None or isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ProfileError(
                f"{self.where}: {self._name(key)} is not a date ({value!r})."
            ) from None

    def provenance(
        self, prefix: str = "", sources: Mapping[str, Source] | None = None
    ) -> Provenance:
        cited = self.texts(f"{prefix}source", ())
        confidence = self.text(f"{prefix}confidence", "unknown")
        if confidence not in CONFIDENCES:
            raise ProfileError(
                f"{self.where}: {self._name(prefix + 'confidence')} is {confidence!r}; use one "
                f"of {', '.join(CONFIDENCES)}."
            )
        for source in cited:
            if sources is not None and source not in sources:
                raise ProfileError(
                    f"{self.where}: {self._name(prefix + 'source')} cites {source!r}, which "
                    "[sources] does not define."
                )
        note = self._get(f"{prefix}note", str, "")
        return Provenance(cited, confidence, note)

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.read)
        if unknown:
            raise ProfileError(
                f"{self.where}: {self._name(unknown[0])} is not a field of a platform profile "
                "(a typo?)."
            )


_REQUIRED = object()


def _build(document: dict[str, Any], origin: str, where: str) -> PlatformProfile:
    top = _Table(document, "", where)
    top.text("schema", SCHEMA)
    sources = _sources(top.sub("sources"), where)
    p = _Reader(sources)
    api = top.sub("api")
    betas = api.sub("betas")
    entra, roles, deployments = top.sub("entra"), top.sub("roles"), top.sub("deployments")
    errors = top.sub("errors")
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
        facts={
            "api.max_request_bytes": api.provenance("max_request_bytes_", sources),
            "api.rate_limit_headers": api.provenance("rate_limit_headers_", sources),
            "api.betas": betas.provenance("", sources),
            "entra.default_scope": entra.provenance("", sources),
            "entra.roles_in_token": entra.provenance("roles_in_token_", sources),
            "roles.not_data_plane": roles.provenance("not_data_plane_", sources),
            "roles.renamed": roles.provenance("renamed_", sources),
            "deployments": deployments.provenance("", sources),
        },
    )
    api.flag("beta_query_tolerated", True)
    entra.flag("roles_in_token", False)
    for table in (api, betas, entra, roles, deployments, errors):
        table.done()
    top.done()
    _check_references(profile, where)
    return profile


class _Reader:
    """Reads provenance against the profile's sources."""

    def __init__(self, sources: Mapping[str, Source]) -> None:
        self.sources = sources

    def of(self, table: _Table, prefix: str = "") -> Provenance:
        return table.provenance(prefix, self.sources)


def _sources(table: _Table, where: str) -> dict[str, Source]:
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
    table: _Table, build: Callable[[str, _Table], T], skip: tuple[str, ...] = ()
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


def _str_map(table: _Table) -> dict[str, str]:
    out = {}
    for key, value in table.data.items():
        if not isinstance(value, str):
            raise ProfileError(f"{table.where}: {table.path}.{key} must be a string.")
        out[key.lower()] = value
        table.read.add(key)
    table.done()
    return out


def _hosting(key: str, t: _Table, p: _Reader) -> HostingOption:
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


def _api_version(t: _Table, p: _Reader) -> ApiVersion:
    version = ApiVersion(t.text("value"), t.texts("clients", ()), t.flag("accepted", True), p.of(t))
    t.done()
    return version


def _route(t: _Table, p: _Reader, name_key: str) -> Route:
    route = Route(t.text(name_key), t.text("method").upper(), t.text("path"), p.of(t))
    t.done()
    return route


def _scope(t: _Table, p: _Reader) -> Scope:
    scope = Scope(t.text("value"), t.text("audience"), t.flag("accepted", True), p.of(t))
    t.done()
    return scope


def _role(t: _Table, p: _Reader) -> Role:
    role = Role(t.text("name"), p.of(t), t.opt_str("formerly"))
    t.done()
    return role


def _quota_of(t: _Table) -> Quota:
    quota = Quota(t.number("rpm", 0), t.number("itpm", 0), t.number("otpm", 0))
    t.done()
    return quota


def _quota(t: _Table, p: _Reader) -> QuotaModel:
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


def _wording(t: _Table, p: _Reader) -> Wording:
    return Wording(t.text("text"), p.of(t), t.opt_str("code"), t._get("status", int, None))


def _refusal(t: _Table, p: _Reader) -> FeatureRefusal:
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


def _client(key: str, t: _Table, p: _Reader) -> Client:
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


def _model(t: _Table, p: _Reader) -> Model:
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

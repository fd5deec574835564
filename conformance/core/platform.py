"""The platform as data: what Claude in Microsoft Foundry is, read from one versioned profile.

``platform.toml`` beside this module holds every platform fact the harness relies on — models and
their lifecycle, hosting options and their features, per-model request rules, API versions, beta
values, unsupported endpoints, Entra scopes and audiences, data-plane roles, the quota model, known
error bodies and refusal wordings — each with its source and a confidence tag. This module is the
typed view of it; ``platform_load`` reads and validates the file (and a user's
``--platform-profile FILE`` on top of it). Pure: no network, no third-party imports.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Confidence = Literal["documented", "observed", "reported", "conflicting", "unknown"]
CONFIDENCES: tuple[Confidence, ...] = (
    "documented",
    "observed",
    "reported",
    "conflicting",
    "unknown",
)
Support = Literal["supported", "unsupported", "conflicting", "unknown"]
Lifecycle = Literal["current", "deprecated", "retired"]
THINKING_TYPES = ("adaptive", "enabled", "disabled")
EFFORT_LEVELS = ("low", "medium", "high", "xhigh", "max")


@dataclass(frozen=True)
class Provenance:
    """Where a fact comes from, and how sure the sources are."""

    sources: tuple[str, ...]
    confidence: Confidence
    note: str = ""


@dataclass(frozen=True)
class Source:
    """One source a fact cites."""

    id: str
    title: str
    url: str
    date: str


@dataclass(frozen=True)
class Quota:
    """Requests, uncached input tokens and output tokens per minute."""

    rpm: int
    itpm: int
    otpm: int


@dataclass(frozen=True)
class Model:
    """One model, as Foundry offers it (its default deployment name is its ID)."""

    id: str
    family: str
    hosting: Mapping[str, str]  # hosting option → stage ("ga", "preview", "gated-preview")
    context_window: int
    max_output: int
    thinking: tuple[str, ...]
    effort: tuple[str, ...]
    mid_conversation_system: bool
    provenance: Provenance
    lifecycle_provenance: Provenance
    data_zone: bool = False
    thinking_disabled_max_effort: str | None = None
    entra_only: bool = False
    refusal_stop_reason: bool = False
    end_of_life: dt.date | None = None
    retired: bool = False
    successor: str | None = None
    aliases: tuple[str, ...] = ()
    quota: Quota | None = None  # None: the pay-as-you-go default of the quota model
    cache_min_tokens: int | None = None  # None: the profile's common minimum

    def lifecycle(self, today: dt.date) -> Lifecycle:
        """Current, deprecated (an end of life is announced), or retired (it has passed)."""
        if self.retired or (self.end_of_life is not None and self.end_of_life <= today):
            return "retired"
        return "deprecated" if self.end_of_life is not None else "current"

    def answers_to(self, name: str) -> bool:
        """Whether a deployment name or a response's ``model`` field names this model (the ID,
        an alias, or the ID with a date suffix such as ``claude-opus-4-5-20251101``)."""
        lowered = name.strip().lower()
        if lowered == self.id or lowered in self.aliases:
            return True
        return re.fullmatch(re.escape(self.id) + r"-\d{8}", lowered) is not None

    def allows_thinking(self, kind: str, effort: str | None = None) -> bool:
        """Whether ``thinking.type: kind`` is accepted (at ``effort``, where that matters)."""
        if kind not in self.thinking:
            return False
        limit = self.thinking_disabled_max_effort
        if kind == "disabled" and limit is not None and effort is not None:
            return EFFORT_LEVELS.index(effort) <= EFFORT_LEVELS.index(limit)
        return True


@dataclass(frozen=True)
class Feature:
    """Whether a hosting option offers a feature."""

    status: Support
    provenance: Provenance


@dataclass(frozen=True)
class HostingOption:
    """Hosted on Azure, or Hosted on Anthropic infrastructure."""

    id: str
    name: str
    portal_version: str
    default: bool
    apis: tuple[str, ...]
    deployment_types: tuple[str, ...]
    features: Mapping[str, Feature]
    provenance: Provenance


@dataclass(frozen=True)
class Marker:
    """What marks a feature in a Messages body (any one of them is enough)."""

    fields: tuple[str, ...] = ()  # dotted paths present and not empty
    tools: tuple[str, ...] = ()  # prefixes of a tool's ``type``
    tool_flags: tuple[str, ...] = ()  # keys a tool sets (truthy)
    source_types: tuple[str, ...] = ()  # a content block's ``source.type``


@dataclass(frozen=True)
class CapabilityFacts:
    """What one capability probe (a CAP-* check) relies on: the feature of the hosting options
    and the model rule that set its expectation, and what it sends."""

    id: str
    provenance: Provenance
    feature: str | None = None  # a key of the hosting options' features
    rule: str | None = None  # "thinking.<type>", "effort" or "mid_conversation_system"
    tool_type: str | None = None
    tool_name: str | None = None
    beta: str | None = None
    api: str | None = None  # a listing route of ``hosted_routes``, by its API name
    ttl: str | None = None
    edit: str | None = None


@dataclass(frozen=True)
class ApiVersion:
    """An ``anthropic-version`` value that clients send."""

    value: str
    clients: tuple[str, ...]
    accepted: bool
    provenance: Provenance


@dataclass(frozen=True)
class Route:
    """A route of the API (one Foundry does not serve, or one only a hosting option serves)."""

    name: str
    method: str
    path: str
    provenance: Provenance


@dataclass(frozen=True)
class Scope:
    """An Entra ID scope, the audience its tokens carry, and whether Foundry accepts it."""

    value: str
    audience: str
    accepted: bool
    provenance: Provenance


@dataclass(frozen=True)
class Role:
    """A data-plane role (one that grants Claude's data actions)."""

    name: str
    provenance: Provenance
    formerly: str | None = None


@dataclass(frozen=True)
class Wording:
    """A known error body or message: its text (``{placeholders}`` filled by whoever uses it)."""

    text: str
    provenance: Provenance
    code: str | None = None
    status: int | None = None


@dataclass(frozen=True)
class FeatureRefusal:
    """One wording of a 400 that refuses a feature; ``features`` is the group naming it."""

    pattern: re.Pattern[str]
    provenance: Provenance


@dataclass(frozen=True)
class Client:
    """What a current client sends (so that the emulator accepts it and a check can mimic it)."""

    name: str
    version: str
    anthropic_version: str
    beta_query: bool
    provenance: Provenance
    deployments: tuple[str, ...] = ()
    betas: tuple[str, ...] = ()
    max_tokens: int | None = None


@dataclass(frozen=True)
class QuotaModel:
    """How Foundry meters Claude: per model pool, at subscription level, per minute."""

    scope: str
    pooling: str
    window_s: int
    payg: Quota
    enterprise: Quota
    free_trial: Quota
    unsupported_subscriptions: tuple[str, ...]
    counters: Mapping[str, str]  # requests / input_tokens / output_tokens → the field's name
    provenance: Provenance
    counters_provenance: Provenance


@dataclass(frozen=True)
class PlatformProfile:
    """The whole profile: every platform fact the checks, the emulator and the diagnoses use."""

    version: str
    date: str
    title: str
    origin: str  # "built-in", or "built-in + FILE" when a user's profile extends it
    sources: Mapping[str, Source]
    hosting: Mapping[str, HostingOption]
    api_versions: tuple[ApiVersion, ...]
    documented_version: str
    max_request_bytes: int
    beta_values: frozenset[str]
    unsupported: tuple[Route, ...]
    hosted_routes: tuple[Route, ...]
    rate_limit_headers: tuple[str, ...]
    rate_limit_header_prefix: str
    default_scope: str
    scopes: tuple[Scope, ...]
    data_plane_roles: tuple[Role, ...]
    not_data_plane_roles: tuple[str, ...]
    role_renames: Mapping[str, str]
    quota: QuotaModel
    errors: Mapping[str, Wording]
    feature_refusals: tuple[FeatureRefusal, ...]
    feature_names: Mapping[str, str]
    clients: Mapping[str, Client]
    emulator_deployments: tuple[str, ...]
    models: tuple[Model, ...]
    markers: Mapping[str, Marker] = field(default_factory=dict)  # feature → what marks it
    capabilities: Mapping[str, CapabilityFacts] = field(default_factory=dict)  # by check ID
    cache_min_tokens: int = 1024
    facts: Mapping[str, Provenance] = field(default_factory=dict)  # the single-valued facts

    # -- models ----------------------------------------------------------------------------

    def model(self, name: str | None) -> Model | None:
        """The model a deployment name (or a response's ``model`` field) names, if the profile
        knows it."""
        if not name:
            return None
        return next((m for m in self.models if m.answers_to(name)), None)

    def discovery_candidates(self, today: dt.date) -> tuple[str, ...]:
        """The default deployment names a run probes for when none is given: every model that
        is not retired, in the profile's order of preference."""
        return tuple(m.id for m in self.models if m.lifecycle(today) != "retired")

    def cache_minimum(self, model: Model | None) -> int:
        """The shortest prefix a cache breakpoint caches for ``model``."""
        if model is not None and model.cache_min_tokens is not None:
            return model.cache_min_tokens
        return self.cache_min_tokens

    def quota_of(self, model: Model | None) -> Quota:
        """The pay-as-you-go quota of ``model``'s pool."""
        if model is not None and model.quota is not None:
            return model.quota
        return self.quota.payg

    # -- identity --------------------------------------------------------------------------

    @property
    def accepted_scopes(self) -> tuple[str, ...]:
        """The Entra scopes Foundry accepts, the default first."""
        accepted = [s.value for s in self.scopes if s.accepted]
        return tuple(sorted(accepted, key=lambda s: s != self.default_scope))

    @property
    def accepted_audiences(self) -> tuple[str, ...]:
        """The token audiences Foundry accepts (those of the accepted scopes)."""
        return tuple(s.audience for s in self.scopes if s.accepted)

    @property
    def role_names(self) -> tuple[str, ...]:
        """The data-plane roles by name (and their former names: both appear in the wild)."""
        names = [r.name for r in self.data_plane_roles]
        names += [r.formerly for r in self.data_plane_roles if r.formerly]
        return tuple(names)

    # -- hosting and features --------------------------------------------------------------

    @property
    def default_hosting(self) -> HostingOption:
        """The hosting option a deployment lands on by default (Hosted on Azure)."""
        return next(h for h in self.hosting.values() if h.default)

    def feature_of(self, named: str) -> str | None:
        """The profile's feature that a refusal's name for it stands for."""
        key = named.strip().lower().strip(".")
        return self.feature_names.get(key) or (key if self._is_feature(key) else None)

    def _is_feature(self, key: str) -> bool:
        return any(key in h.features for h in self.hosting.values())

    def refused_features(self, message: str) -> tuple[str, ...] | None:
        """The features a 400's message refuses, if it is one of the known refusal wordings
        (an empty tuple: a refusal that names no feature the profile knows)."""
        for refusal in self.feature_refusals:
            match = refusal.pattern.search(message)
            if match is None:
                continue
            named = re.split(r",\s*|\s+and\s+", match.group("features"))
            found = [self.feature_of(name) or name.strip() for name in named if name.strip()]
            return tuple(dict.fromkeys(found))
        return None

    # -- the wire --------------------------------------------------------------------------

    @property
    def accepted_versions(self) -> tuple[str, ...]:
        """The ``anthropic-version`` values an endpoint is expected to accept."""
        return tuple(v.value for v in self.api_versions if v.accepted)

    def text(self, name: str, **values: object) -> str:
        """A known wording with its placeholders filled."""
        return self.errors[name].text.format(**values)

    def summary_view(self) -> dict[str, str]:
        """What a run's summary says about the profile that judged it."""
        return {"version": self.version, "date": self.date, "source": self.origin}

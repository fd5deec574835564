"""The Anthropic layer's rules that depend on the model: the headers it accepts and what a body may
ask of the model behind the deployment, as the platform profile says.

- ``anthropic-version``: one of the profile's accepted versions (missing: the layer's own 400);
- ``anthropic-beta``: every comma-separated value is one the profile knows;
- ``max_tokens`` at most the model's maximum output; ``thinking.type`` one the model allows (at
  the request's effort, for models that allow ``disabled`` only up to an effort);
  ``output_config.effort`` one of the model's levels.

A deployment the profile does not know behaves as an unrestricted current model: only the
headers are judged. Each refusal is an ``InvalidRequest`` whose message is the profile's wording.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.errors import InvalidRequest
from ..core.platform import THINKING_TYPES, Model, PlatformProfile
from . import bodies


def check_version(headers: Mapping[str, str], profile: PlatformProfile) -> None:
    """The ``anthropic-version`` header is present and one the platform accepts."""
    version = headers.get("anthropic-version")
    if version is None:
        raise InvalidRequest(bodies.MISSING_VERSION)
    if version.strip() not in profile.accepted_versions:
        raise InvalidRequest(profile.text("unknown_version", version=version))


def beta_values(headers: Mapping[str, str]) -> tuple[str, ...]:
    """The values of the ``anthropic-beta`` header (comma-separated, as clients send several)."""
    raw = headers.get("anthropic-beta", "")
    return tuple(value.strip() for value in raw.split(",") if value.strip())


def check_betas(headers: Mapping[str, str], profile: PlatformProfile) -> None:
    """Every ``anthropic-beta`` value is one the platform knows."""
    unknown = [value for value in beta_values(headers) if value not in profile.beta_values]
    if unknown:
        raise InvalidRequest(profile.text("unknown_beta", values=",".join(unknown)))


def check_model_rules(
    body: Mapping[str, Any], model: Model | None, profile: PlatformProfile, *, count_tokens: bool
) -> None:
    """The body asks only what ``model`` accepts (``None``: anything)."""
    effort = _effort(body.get("output_config"))
    kind = _thinking_type(body.get("thinking"))
    if model is None:
        return
    if not count_tokens and body["max_tokens"] > model.max_output:
        raise InvalidRequest(
            profile.text(
                "max_tokens", requested=body["max_tokens"], maximum=model.max_output, model=model.id
            )
        )
    if kind is not None and not model.allows_thinking(kind, effort):
        allowed = [t for t in model.thinking if model.allows_thinking(t, effort)]
        raise InvalidRequest(
            profile.text("thinking_type", type=kind, model=model.id, allowed=", ".join(allowed))
        )
    if effort is not None and effort not in model.effort:
        allowed_levels = ", ".join(model.effort) or "none"
        raise InvalidRequest(
            profile.text("effort", effort=effort, model=model.id, allowed=allowed_levels)
        )


def system_role_refusal(model: Model | None, profile: PlatformProfile) -> str | None:
    """The 400 for a ``role: "system"`` message, or ``None`` where the model accepts them."""
    if model is None or model.mid_conversation_system:
        return None
    return profile.text("system_role")


def _thinking_type(thinking: Any) -> str | None:
    if thinking is None:
        return None
    kind = thinking.get("type") if isinstance(thinking, Mapping) else None
    if kind not in THINKING_TYPES:
        expected = ", ".join(f"'{t}'" for t in THINKING_TYPES)
        raise InvalidRequest(
            f"thinking: Input tag {kind!r} found using 'type' does not match any of the "
            f"expected tags: {expected}"
        )
    if kind == "enabled":
        budget = thinking.get("budget_tokens")
        if isinstance(budget, bool) or not isinstance(budget, int):
            raise InvalidRequest("thinking.enabled.budget_tokens: Field required")
    return str(kind)


def _effort(config: Any) -> str | None:
    if config is None:
        return None
    if not isinstance(config, Mapping):
        raise InvalidRequest("output_config: Input should be a valid dictionary")
    effort = config.get("effort")
    if effort is not None and not isinstance(effort, str):
        raise InvalidRequest("output_config.effort: Input should be a valid string")
    return effort

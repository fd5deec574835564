"""Per-model request rules: thinking types, effort levels, mid-conversation system messages and
the maximum output, each probed on the first deployment under test as the platform profile says
its model behaves.

Cheap by construction: a refusal costs nothing (a 400 generates no token), so the standard suite
probes what the profile says is *refused*; what it says is *accepted* costs tokens (a thinking
budget of 1,024, a generated answer) and is probed in ``--suite full``.
"""

from __future__ import annotations

from typing import Any

import pytest

from ..core.errors import CheckFailure, Unavailable
from ..core.platform import EFFORT_LEVELS, THINKING_TYPES, Model
from ..target.run import FoundryRun
from .helpers import (
    RecordProperty,
    describe,
    message_body,
    refuse_to_judge_throttling,
    send_primary,
)

check = pytest.mark.foundry_check

# The smallest legal manual thinking budget, and the max_tokens it needs above it.
THINKING_BUDGET = 1024
SYSTEM_MIDCONV = [
    {"role": "user", "content": "Hello."},
    {"role": "assistant", "content": "Hello."},
    {"role": "system", "content": "Answer in one word."},
]


def _model(run: FoundryRun) -> tuple[str, Model]:
    deployment = run.primary_deployment
    model = run.settings.profile.model(deployment)
    if model is None:
        pytest.skip(
            f"the platform profile does not know the model behind {deployment!r}: name a "
            "deployment after its model, or add the model with --platform-profile"
        )
    return deployment, model


def _judge(
    run: FoundryRun,
    body: dict[str, Any],
    *,
    allowed: bool,
    what: str,
    model: Model,
    record: RecordProperty,
) -> None:
    """Probe ``body``: accepted where the profile says ``allowed``, a 400 where it does not."""
    if allowed and run.settings.suite != "full":
        kind = (
            "accepting it costs tokens, so it is probed in --suite full (the standard suite "
            "probes the refusals, which cost nothing)"
        )
        raise Unavailable(f"the profile says {model.id} accepts {what}: {kind}", kind=kind)
    response = send_primary(run, "POST", "v1/messages", body, expects_error=not allowed)
    refuse_to_judge_throttling(run, response)
    accepted = 200 <= response.status_code < 300
    if accepted == allowed:
        record("note", f"{what}: {'accepted' if accepted else 'refused'}, as documented")
        return
    if not accepted and response.status_code != 400:
        raise CheckFailure(f"{what}: expected 2xx, got {describe(run, response)}")
    said = "accepts" if allowed else "refuses"
    raise CheckFailure(
        f"the platform profile says {model.id} {said} {what}, but the endpoint "
        f"{'accepted it' if accepted else 'refused it'}: {describe(run, response)}",
        ("model-rule-mismatch",),
    )


@check("RULE-THINKING")
@pytest.mark.parametrize("thinking_type", THINKING_TYPES)
def test_thinking_types_hold_as_documented(
    foundry_run: FoundryRun, thinking_type: str, record_property: RecordProperty
) -> None:
    """``thinking.type`` is accepted or refused as the profile says for the model."""
    deployment, model = _model(foundry_run)
    thinking: dict[str, Any] = {"type": thinking_type}
    max_tokens = 1
    if thinking_type == "enabled":
        thinking["budget_tokens"] = THINKING_BUDGET
        max_tokens = THINKING_BUDGET + 1
    body = message_body(deployment, max_tokens, thinking=thinking)
    allowed = model.allows_thinking(thinking_type)
    _judge(
        foundry_run,
        body,
        allowed=allowed,
        what=f"thinking.type {thinking_type!r}",
        model=model,
        record=record_property,
    )


@check("RULE-EFFORT")
@pytest.mark.parametrize("effort", EFFORT_LEVELS)
def test_effort_levels_hold_as_documented(
    foundry_run: FoundryRun, effort: str, record_property: RecordProperty
) -> None:
    """``output_config.effort`` is accepted or refused as the profile says for the model."""
    deployment, model = _model(foundry_run)
    body = message_body(deployment, output_config={"effort": effort})
    _judge(
        foundry_run,
        body,
        allowed=effort in model.effort,
        what=f"effort {effort!r}",
        model=model,
        record=record_property,
    )


@check("RULE-SYSTEM-MIDCONV")
def test_mid_conversation_system_holds_as_documented(
    foundry_run: FoundryRun, record_property: RecordProperty
) -> None:
    """A ``role: "system"`` message mid-conversation is accepted or refused as documented."""
    deployment, model = _model(foundry_run)
    body = message_body(deployment)
    body["messages"] = [*SYSTEM_MIDCONV, *body["messages"]]
    _judge(
        foundry_run,
        body,
        allowed=model.mid_conversation_system,
        what="a mid-conversation system message",
        model=model,
        record=record_property,
    )


@check("RULE-MAX-OUTPUT")
def test_max_tokens_above_the_maximum_output_is_refused(
    foundry_run: FoundryRun, record_property: RecordProperty
) -> None:
    """``max_tokens`` one above the model's maximum output is a 400 (its maximum is accepted,
    probed in ``--suite full``)."""
    deployment, model = _model(foundry_run)
    over = message_body(deployment, model.max_output + 1)
    _judge(
        foundry_run,
        over,
        allowed=False,
        what=f"max_tokens {model.max_output + 1} (its maximum output is {model.max_output})",
        model=model,
        record=record_property,
    )
    if foundry_run.settings.suite == "full":
        _judge(
            foundry_run,
            message_body(deployment, model.max_output),
            allowed=True,
            what=f"max_tokens {model.max_output}",
            model=model,
            record=record_property,
        )

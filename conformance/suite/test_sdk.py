"""The official `anthropic` SDK (`AnthropicFoundry`), through the same recording seam, retries off."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

from ..config import AuthMode
from ..core.errors import CannotJudge, CheckFailure, Unavailable
from ..core.interactions import tagged
from ..target.run import FoundryRun

if TYPE_CHECKING:  # the SDK is imported on first use (see shapes.py)
    import anthropic
    from anthropic.types import MessageParam

check = pytest.mark.foundry_check
MESSAGES: list[MessageParam] = [{"role": "user", "content": "Reply with the single word: ok"}]


@contextmanager
def _sdk_errors(run: FoundryRun, what: str) -> Iterator[None]:
    """SDK exceptions as check outcomes: a status error fails, a connection error cannot judge."""
    import anthropic

    try:
        yield
    except anthropic.APIStatusError as exc:
        if exc.status_code == 429:
            raise CannotJudge(
                f"{what}: throttled (request-id {exc.request_id})", ("rate-limited",)
            ) from None
        raise CheckFailure(
            f"{what}: {type(exc).__name__} HTTP {exc.status_code} (request-id "
            f"{exc.request_id or 'none'}): {run.redactor.text(str(exc.message))[:300]}"
        ) from None
    except anthropic.APIConnectionError as exc:
        raise CannotJudge(f"{what}: {type(exc).__name__}: {exc.__cause__ or exc}") from None
    except anthropic.APIResponseValidationError as exc:
        raise CheckFailure(
            f"{what}: the SDK refused the answer's shape: {run.redactor.text(exc.message)[:300]}",
            ("malformed-response",),
        ) from None
    except RecursionError:
        raise CheckFailure(
            f"{what}: the answer nests too deep for the SDK's JSON decoder to read it",
            ("malformed-response",),
        ) from None
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        # The SDK builds its models without validating them, so an answer that lacks a field it
        # relies on (a stream's `message.content`, say) surfaces as a Python error inside it.
        raise CheckFailure(
            f"{what}: the SDK could not read the answer ({type(exc).__name__}: "
            f"{run.redactor.text(str(exc))[:200]}): it lacks a field of the documented shape",
            ("malformed-response",),
        ) from None


def _missing_fields(message: object) -> list[str]:
    """The fields of a Message the SDK returned that are absent (it does not validate them)."""
    return [
        f"`{name}`"
        for name in ("id", "role", "content", "usage")
        if getattr(message, name, None) is None
    ]


def _require_shape(message: object, what: str) -> None:
    """Fail, as malformed, a message without the fields every Message carries."""
    missing = _missing_fields(message)
    if missing:
        raise CheckFailure(
            f"{what}: the SDK's Message has no {', '.join(missing)}: the answer is not a valid "
            "Messages object",
            ("malformed-response",),
        )


def _key_client(run: FoundryRun) -> anthropic.AnthropicFoundry:
    from ..target.sdk import foundry_sdk_client

    if not (run.has_mode(AuthMode.X_API_KEY) or run.has_mode(AuthMode.API_KEY)):
        raise Unavailable("no API key in this run's auth modes (ANTHROPIC_FOUNDRY_API_KEY)")
    return foundry_sdk_client(run.client, api_key=run.api_key, timeout=run.settings.timeout)


def _token_client(run: FoundryRun) -> anthropic.AnthropicFoundry:
    from ..target.sdk import foundry_sdk_client

    provider: Callable[[], str] = run.token_provider()
    return foundry_sdk_client(run.client, token_provider=provider, timeout=run.settings.timeout)


@check("SDK-FOUNDRY")
def test_sdk_with_key_completes_a_request(foundry_run: FoundryRun, primary_deployment: str) -> None:
    """`AnthropicFoundry(api_key=…)` completes `messages.create` with the run's configuration."""
    client = _key_client(foundry_run)
    with tagged(auth="sdk-key"), _sdk_errors(foundry_run, "messages.create with a key"):
        message = client.messages.create(model=primary_deployment, max_tokens=1, messages=MESSAGES)
    _require_shape(message, "messages.create with a key")
    if message.usage.output_tokens < 0 or message.role != "assistant":
        raise CheckFailure(
            f"the SDK returned an implausible message: {message.model_dump_json()[:200]}"
        )


@check("SDK-ENTRA")
def test_sdk_with_token_provider_completes_a_request(
    foundry_run: FoundryRun, primary_deployment: str
) -> None:
    """`AnthropicFoundry(azure_ad_token_provider=…)` completes `messages.create`."""
    foundry_run.require_mode(AuthMode.ENTRA)
    client = _token_client(foundry_run)
    with (
        tagged(auth="sdk-entra"),
        _sdk_errors(foundry_run, "messages.create with a token provider"),
    ):
        message = client.messages.create(model=primary_deployment, max_tokens=1, messages=MESSAGES)
    _require_shape(message, "messages.create with a token provider")
    if message.role != "assistant":
        raise CheckFailure(f"the SDK returned role {message.role!r}")


@check("SDK-STREAM")
def test_sdk_streaming_works_end_to_end(foundry_run: FoundryRun, primary_deployment: str) -> None:
    """`messages.stream` yields text and a final message whose text matches what streamed."""
    # The same credential the other non-auth checks use: the first mode the endpoint accepts.
    if foundry_run.primary_auth()[0] == "entra":
        client, label = _token_client(foundry_run), "sdk-entra"
    else:
        client, label = _key_client(foundry_run), "sdk-key"
    with (
        tagged(auth=label),
        _sdk_errors(foundry_run, "messages.stream"),
        client.messages.stream(model=primary_deployment, max_tokens=8, messages=MESSAGES) as stream,
    ):
        streamed = "".join(stream.text_stream)
        final = stream.get_final_message()
    _require_shape(final, "messages.stream")
    final_text = "".join(b.text for b in final.content if b.type == "text")
    if final_text != streamed:
        raise CheckFailure(
            f"the final message's text {final_text!r} differs from the streamed {streamed!r}"
        )
    if final.stop_reason is None:
        raise CheckFailure(
            "the final streamed message has no stop_reason", ("stream-protocol-violation",)
        )

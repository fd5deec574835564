"""The capability probes' judgement: one answer (or two) in, one cell state out, pure.

Every probe is judged in the same two steps. First the status: a 2xx is an acceptance, a 400 is a
refusal (``feature-not-available`` when it uses one of the field's three wordings, which the
platform profile holds), a 404 to a listing route means the API is not served, and anything
else — 401/403, 404 to a model call, 429, 5xx, a body that is not JSON — says nothing about the
capability: *not judged*, with the reason and the diagnosis it points to. Then, for an
acceptance, the evidence: a ``Seen`` function reads the answer and says whether it shows the
capability (a thinking block, JSON valid against the schema, a citation, cache tokens…). Accepted
without that evidence is *not honoured*.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..core.capability import CellStatus
from ..core.platform import PlatformProfile
from ..core.untrusted import UntrustedJSONError, parse_json
from .errors import classify_error_body
from .sse import parse_sse

EXCERPT = 160


@dataclass(frozen=True)
class Answer:
    """One answer as a probe received it (``status`` None: no HTTP answer)."""

    status: int | None
    headers: Mapping[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        """The ``content-type`` header, lower case."""
        lowered = {k.lower(): v for k, v in self.headers.items()}
        return lowered.get("content-type", "").lower()


@dataclass(frozen=True)
class Seen:
    """What an accepted answer shows: ``found`` the evidence, and what was seen, in words."""

    found: bool
    text: str


@dataclass(frozen=True)
class Judgement:
    """One cell's state, why, and the diagnoses it points to."""

    status: CellStatus
    reason: str
    codes: tuple[str, ...] = ()
    wording: bool = False  # refused in one of the field's refusal wordings

    @property
    def judged(self) -> bool:
        """Whether the answer said something about the capability."""
        return self.status != "not-judged"


Evidence = Callable[[dict[str, Any]], Seen]


def _excerpt(body: bytes) -> str:
    text = " ".join(body.decode("utf-8", errors="replace").split())
    return repr(text if len(text) <= EXCERPT else f"{text[:EXCERPT]}…")


def judge_status(
    answer: Answer,
    profile: PlatformProfile,
    *,
    listing: bool = False,
    unsure: tuple[str, str] | None = None,
) -> Judgement | None:
    """The judgement of a non-2xx answer (``None`` for a 2xx: its evidence decides).

    ``unsure`` is ``(field, why)`` for a probe whose 400 may have another cause than a refusal of
    the capability (the MCP probe names a server that never resolves): a 400 in none of the
    field's refusal wordings that does not name ``field`` is then not judged, saying ``why``."""
    status = answer.status
    if status is None:
        return Judgement("not-judged", "no HTTP answer (see the transport failure)")
    if 200 <= status < 300:
        return None
    sig = classify_error_body(status, dict(answer.headers), answer.body.decode("utf-8", "replace"))
    said = f"HTTP {status} {sig.describe()}"
    if status == 400 and sig.layer in ("anthropic", "azure-gateway"):
        refused = profile.refused_features(sig.message or "")
        if refused is not None:
            named = f" (names: {', '.join(refused)})" if refused else ""
            return Judgement(
                "refused",
                f"refused with the field's wording: {said}{named}",
                ("feature-not-available",),
                wording=True,
            )
        if unsure is not None and unsure[0] not in (sig.message or ""):
            return Judgement(
                "not-judged", f"{said}, in none of the field's refusal wordings: {unsure[1]}"
            )
        return Judgement("refused", f"refused: {said} (not one of the field's refusal wordings)")
    if status == 404 and listing:
        return Judgement("refused", f"not served: {said}")
    if status == 429:
        return Judgement("not-judged", f"throttled: {said}", ("rate-limited",))
    if status in (401, 403):
        return Judgement("not-judged", f"the request itself was not let in: {said}")
    if status >= 500:
        code = "overloaded" if status == 529 or sig.type == "overloaded_error" else "server-error"
        return Judgement("not-judged", f"the service failed: {said}", (code,))
    if sig.layer in ("html", "unparseable", "empty") and status == 400:
        return Judgement(
            "not-judged",
            f"a 400 that is not JSON: {_excerpt(answer.body)}",
            ("malformed-response",),
        )
    return Judgement("not-judged", f"an answer that tells nothing about the capability: {said}")


def decoded(answer: Answer) -> dict[str, Any] | Judgement:
    """A 2xx body as a JSON object, or the not-judged judgement of a malformed one."""
    try:
        data = parse_json(answer.body, source="the answer")
    except UntrustedJSONError:
        data = None
    if not isinstance(data, dict):
        return Judgement(
            "not-judged",
            f"accepted, but the answer is not a JSON object: {_excerpt(answer.body)}",
            ("malformed-response",),
        )
    return data


def judge_message(
    answer: Answer,
    profile: PlatformProfile,
    evidence: Evidence,
    *,
    listing: bool = False,
    unsure: tuple[str, str] | None = None,
) -> Judgement:
    """A probe of one request: refused, not judged, or accepted with or without ``evidence``
    (``unsure``: see ``judge_status``)."""
    early = judge_status(answer, profile, listing=listing, unsure=unsure)
    if early is not None:
        return early
    data = decoded(answer)
    if isinstance(data, Judgement):
        return data
    if not listing and (data.get("type") != "message" or not isinstance(data.get("content"), list)):
        return Judgement(
            "not-judged",
            f"accepted, but the answer is not a Message: {_excerpt(answer.body)}",
            ("malformed-response",),
        )
    seen = evidence(data)
    if seen.found:
        return Judgement("supported", f"accepted and honoured: {seen.text}")
    return Judgement("not-honoured", f"accepted, but not honoured: {seen.text}")


# -- evidence ------------------------------------------------------------------------------


def _blocks(message: dict[str, Any], kind: str | None = None) -> list[dict[str, Any]]:
    blocks = [b for b in message.get("content") or () if isinstance(b, dict)]
    return [b for b in blocks if kind is None or b.get("type") == kind]


def _kinds(message: dict[str, Any]) -> str:
    return ", ".join(str(b.get("type")) for b in _blocks(message)) or "none"


def accepted(what: str) -> Evidence:
    """Acceptance is all the answer can show (``what`` says why)."""
    return lambda message: Seen(True, what)


def thinking_shown(message: dict[str, Any]) -> Seen:
    """A signed ``thinking`` block (or a ``redacted_thinking`` one)."""
    for block in _blocks(message):
        if block.get("type") == "redacted_thinking":
            return Seen(True, "a redacted_thinking block")
        if block.get("type") == "thinking" and block.get("signature"):
            return Seen(
                True, f"a signed thinking block ({len(str(block.get('thinking', '')))} characters)"
            )
    return Seen(
        False, f"no signed thinking block in the answer (content blocks: {_kinds(message)})"
    )


def thinking_absent(message: dict[str, Any]) -> Seen:
    """No thinking block: thinking is off."""
    if _blocks(message, "thinking") or _blocks(message, "redacted_thinking"):
        return Seen(False, "the answer carries a thinking block although thinking was disabled")
    return Seen(True, f"no thinking block (content blocks: {_kinds(message)})")


def tool_called(name: str, problems: Callable[[Any], list[str]]) -> Evidence:
    """A ``tool_use`` block of the tool ``name`` whose input has no schema ``problems``."""

    def seen(message: dict[str, Any]) -> Seen:
        calls = [b for b in _blocks(message, "tool_use") if b.get("name") == name]
        if not calls:
            return Seen(
                False, f"no tool_use block for `{name}` (content blocks: {_kinds(message)})"
            )
        found = problems(calls[0].get("input"))
        if found:
            return Seen(False, f"the tool_use input breaks the schema: {'; '.join(found[:3])}")
        return Seen(True, f"a tool_use block for `{name}` with input valid for its schema")

    return seen


def json_answered(problems: Callable[[Any], list[str]]) -> Evidence:
    """The answer's text is JSON with no schema ``problems``."""

    def seen(message: dict[str, Any]) -> Seen:
        text = "".join(str(b.get("text", "")) for b in _blocks(message, "text")).strip()
        try:
            value = parse_json(text, source="the answer's text")
        except UntrustedJSONError:
            shown = text if len(text) <= EXCERPT else text[:EXCERPT] + "…"
            return Seen(False, f"the answer's text is not JSON: {shown!r}")
        found = problems(value)
        if found:
            return Seen(False, f"the JSON breaks the requested schema: {'; '.join(found[:3])}")
        return Seen(True, "JSON valid against the requested schema")

    return seen


def cited(kind: str) -> Evidence:
    """A text block with a citation of type ``kind`` (``char_location``, ``search_result_location``)."""

    def seen(message: dict[str, Any]) -> Seen:
        for block in _blocks(message, "text"):
            citations = block.get("citations")
            for citation in citations if isinstance(citations, list) else ():
                if isinstance(citation, dict) and citation.get("type") == kind:
                    quoted = str(citation.get("cited_text", ""))[:60]
                    return Seen(True, f"a {kind} citation ({quoted!r})")
        return Seen(False, f"no {kind} citation in the answer (content blocks: {_kinds(message)})")

    return seen


def context_reported(message: dict[str, Any]) -> Seen:
    """The answer reports the context edits it applied (``context_management``)."""
    report = message.get("context_management")
    if isinstance(report, dict) and isinstance(report.get("applied_edits"), list):
        return Seen(
            True, f"context_management reports {len(report['applied_edits'])} applied edits"
        )
    return Seen(False, "the answer has no context_management report of the edits applied")


def listed(data: dict[str, Any]) -> Seen:
    """A page of a listing API (``data`` is a list)."""
    items = data.get("data")
    if isinstance(items, list):
        return Seen(True, f"a listing of {len(items)} item{'s' if len(items) != 1 else ''}")
    return Seen(False, "a 2xx without a `data` list: not a listing")


# -- probes of two requests ----------------------------------------------------------------


def _input_tokens(data: dict[str, Any]) -> int | None:
    value = data.get("input_tokens")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def judge_counted(
    with_it: Answer, without: Answer, profile: PlatformProfile, what: str
) -> Judgement:
    """``count_tokens`` with and without ``what``: accepted, and counted as more input."""
    early = judge_status(with_it, profile)
    if early is not None:
        return early
    first, second = decoded(with_it), decoded(without)
    if isinstance(first, Judgement):
        return first
    counted = _input_tokens(first)
    if counted is None:
        return Judgement(
            "not-judged",
            f"accepted, but no input_tokens count: {_excerpt(with_it.body)}",
            ("malformed-response",),
        )
    baseline = _input_tokens(second) if not isinstance(second, Judgement) else None
    if baseline is None or judge_status(without, profile) is not None:
        return Judgement(
            "not-judged", f"accepted ({counted} input tokens), but the count without {what} failed"
        )
    if counted > baseline:
        return Judgement(
            "supported",
            f"accepted and counted: {counted} input tokens with {what}, {baseline} without",
        )
    return Judgement(
        "not-honoured",
        f"accepted, but not counted: {counted} input tokens with {what}, {baseline} without",
    )


def _usage(data: dict[str, Any]) -> dict[str, Any]:
    usage = data.get("usage")
    return usage if isinstance(usage, dict) else {}


def _tokens(usage: dict[str, Any], name: str) -> int:
    value = usage.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def judge_cached(
    first: Answer, second: Answer, profile: PlatformProfile, ttl: str, prefix: int
) -> Judgement:
    """The same cached prefix twice: the second answer reads it from the cache."""
    for answer in (first, second):
        judged = judge_message(answer, profile, accepted("a Message"))
        if judged.status != "supported":
            return judged
    one, two = decoded(first), decoded(second)
    assert isinstance(one, dict) and isinstance(two, dict)  # judged above
    wrote = _tokens(_usage(one), "cache_creation_input_tokens")
    read = _tokens(_usage(two), "cache_read_input_tokens") or _tokens(
        _usage(one), "cache_read_input_tokens"
    )
    breakdown = _usage(one).get("cache_creation")
    key = f"ephemeral_{ttl}_input_tokens"
    if wrote and isinstance(breakdown, dict) and not _tokens(breakdown, key) and not read:
        return Judgement(
            "not-honoured",
            f"the cache was written ({wrote} tokens), but not with the {ttl} TTL ({key} is 0)",
        )
    if read:
        return Judgement(
            "supported",
            f"accepted and honoured: {read} input tokens read from the cache ({wrote} written by the first request)",
        )
    return Judgement(
        "not-honoured",
        f"accepted, but no cache tokens in usage ({wrote} written, none read) for a prefix of about {prefix} tokens",
    )


def judge_stream(answer: Answer, profile: PlatformProfile) -> Judgement:
    """A streamed request is answered as an SSE stream of a whole message."""
    early = judge_status(answer, profile)
    if early is not None:
        return early
    if "text/event-stream" not in answer.content_type:
        shown = answer.content_type or "no content-type"
        return Judgement("not-honoured", f"accepted, but answered {shown}, not an event stream")
    events = [e.json.get("type") for e in parse_sse(answer.body) if isinstance(e.json, dict)]
    if "message_start" in events and "message_stop" in events:
        return Judgement(
            "supported", f"accepted and honoured: an SSE stream of {len(events)} events"
        )
    return Judgement(
        "not-judged",
        f"an event stream without message_start … message_stop (events: {', '.join(map(str, events)) or 'none'})",
        ("stream-protocol-violation",),
    )

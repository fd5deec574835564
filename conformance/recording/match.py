"""When a replayed request matches a recorded one, and what to say when none does (pure).

Both sides are compared after scrubbing, so what differs between a recording and its replay by
design — the host, credential values, the random ``x-ms-client-request-id``, the SDK's user agent —
never decides. What does decide: the method, the path and query, *which* credential header was
sent (the auth checks are about exactly that), the ``anthropic-*`` protocol headers, and the body
(as JSON, so key order and spacing do not matter).

A miss is explained with the nearest recorded request, ranked by method, then path, then body
similarity (unlike vcrpy's "0 different matchers" or a "closest match" that is another method), and
the fields in which the two differ.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..core.untrusted import parse_json as parse_untrusted

MAX_DIFFERENCES = 4
_SIMILARITY_CHARS = 4000  # enough to rank Messages bodies; bounds the cost of a miss
_SHOWN = 60


@dataclass(frozen=True)
class RequestView:
    """A request as matching sees it: scrubbed, headers lower-cased (first value of each)."""

    method: str
    uri: str
    headers: Mapping[str, str]
    body: str
    where: str = ""  # "MSG-BASIC.yaml #2": the recorded interaction, for messages
    own: bool = False  # in the cassette of the case that sent the request
    played: bool = False  # already answered in this replay


def auth_kind(headers: Mapping[str, str]) -> str:
    """Which credential header a request carries (not its value): the auth checks' subject."""
    kinds = [name for name in ("x-api-key", "api-key") if name in headers]
    if "authorization" in headers:
        scheme, _, rest = headers["authorization"].partition(" ")
        no_scheme = not rest or scheme.startswith("[")
        kinds.append("Authorization" if no_scheme else f"Authorization: {scheme.capitalize()}")
    return " + ".join(kinds) or "no credentials"


def protocol_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The ``anthropic-*`` request headers (version, beta): part of what a request asks for."""
    return {k: v for k, v in headers.items() if k.startswith("anthropic-")}


def path_of(uri: str) -> str:
    """The path of ``uri``; the host never decides a match (it may be scrubbed)."""
    return urlsplit(uri).path or "/"


def query_of(uri: str) -> list[tuple[str, str]]:
    """The query parameters of ``uri``, in a canonical order."""
    return sorted(parse_qsl(urlsplit(uri).query, keep_blank_values=True))


def parse_json(body: str) -> tuple[bool, Any]:
    """``(True, value)`` for a JSON body, ``(False, None)`` otherwise."""
    if not body.strip():
        return False, None
    try:
        return True, parse_untrusted(body, source="a recorded body")
    except ValueError:  # not JSON, or beyond a body's bounds (UntrustedJSONError)
        return False, None


def canonical_body(body: str) -> str:
    """A JSON body in canonical form (sorted keys, no spacing); other bodies stripped."""
    is_json, value = parse_json(body)
    if is_json:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return body.strip()


# -- the aspects a match compares: each returns what differs, or None ----------------------------


def method_differs(sent: RequestView, recorded: RequestView) -> str | None:
    """The HTTP method."""
    if sent.method.upper() == recorded.method.upper():
        return None
    return f"method (sent {sent.method.upper()}, recorded {recorded.method.upper()})"


def path_differs(sent: RequestView, recorded: RequestView) -> str | None:
    """The URL path."""
    a, b = path_of(sent.uri), path_of(recorded.uri)
    return None if a == b else f"path (sent {a}, recorded {b})"


def query_differs(sent: RequestView, recorded: RequestView) -> str | None:
    """The query parameters, in any order."""
    a, b = query_of(sent.uri), query_of(recorded.uri)
    if a == b:
        return None
    return f"query (sent {_query_text(a)!r}, recorded {_query_text(b)!r})"


def auth_differs(sent: RequestView, recorded: RequestView) -> str | None:
    """Which credential header was used."""
    a, b = auth_kind(sent.headers), auth_kind(recorded.headers)
    return None if a == b else f"credential header (sent {a}, recorded {b})"


def protocol_differs(sent: RequestView, recorded: RequestView) -> str | None:
    """The ``anthropic-*`` headers."""
    a, b = protocol_headers(sent.headers), protocol_headers(recorded.headers)
    if a == b:
        return None
    names = sorted(name for name in set(a) | set(b) if a.get(name) != b.get(name))
    shown = "; ".join(
        f"{name} (sent {a.get(name, 'absent')}, recorded {b.get(name, 'absent')})" for name in names
    )
    return f"header {shown}"


def body_differs(sent: RequestView, recorded: RequestView) -> str | None:
    """The body, compared as JSON when it is JSON."""
    if canonical_body(sent.body) == canonical_body(recorded.body):
        return None
    sent_json, a = parse_json(sent.body)
    recorded_json, b = parse_json(recorded.body)
    if sent_json and recorded_json:
        paths = json_differences(a, b)
        return "body at " + "; ".join(paths[:MAX_DIFFERENCES])
    return f"body (sent {_cut(sent.body)!r}, recorded {_cut(recorded.body)!r})"


ASPECTS: tuple[Callable[[RequestView, RequestView], str | None], ...] = (
    method_differs,
    path_differs,
    query_differs,
    auth_differs,
    protocol_differs,
    body_differs,
)


def differences(sent: RequestView, recorded: RequestView) -> list[str]:
    """Every aspect in which ``sent`` differs from ``recorded`` (empty: they match)."""
    found = (aspect(sent, recorded) for aspect in ASPECTS)
    return [text for text in found if text is not None]


def json_differences(sent: Any, recorded: Any, path: str = "$") -> list[str]:
    """The JSON paths at which two values differ, each with both values."""
    if isinstance(sent, dict) and isinstance(recorded, dict):
        out: list[str] = []
        for key in sorted(set(sent) | set(recorded)):
            where = f"{path}.{key}"
            if key not in sent or key not in recorded:
                out.append(f"{where} (sent {_show(sent, key)}, recorded {_show(recorded, key)})")
            else:
                out.extend(json_differences(sent[key], recorded[key], where))
        return out
    if isinstance(sent, list) and isinstance(recorded, list) and len(sent) == len(recorded):
        return [
            diff
            for i, (a, b) in enumerate(zip(sent, recorded, strict=True))
            for diff in json_differences(a, b, f"{path}[{i}]")
        ]
    if sent == recorded and type(sent) is type(recorded):
        return []
    return [f"{path} (sent {_dump(sent)}, recorded {_dump(recorded)})"]


# -- ranking and the message ---------------------------------------------------------------------


def rank(sent: RequestView, recorded: RequestView) -> tuple[bool, bool, bool, float, int, bool]:
    """How near ``recorded`` is: method, then path, then own cassette, then body similarity."""
    a, b = canonical_body(sent.body), canonical_body(recorded.body)
    similarity = difflib.SequenceMatcher(
        None, a[:_SIMILARITY_CHARS], b[:_SIMILARITY_CHARS], autojunk=False
    ).ratio()
    alike = sum(
        aspect(sent, recorded) is None for aspect in (query_differs, auth_differs, protocol_differs)
    )
    return (
        method_differs(sent, recorded) is None,
        path_differs(sent, recorded) is None,
        recorded.own,
        round(similarity, 6),
        alike,
        not recorded.played,
    )


def nearest(sent: RequestView, candidates: Iterable[RequestView]) -> RequestView | None:
    """The recorded request nearest to ``sent`` (None if nothing was recorded at all)."""
    return max(candidates, key=lambda candidate: rank(sent, candidate), default=None)


def describe(request: RequestView) -> str:
    """``POST /anthropic/v1/messages with x-api-key``."""
    query = _query_text(query_of(request.uri))
    target = path_of(request.uri) + (f"?{query}" if query else "")
    return f"{request.method.upper()} {target} with {auth_kind(request.headers)}"


def miss_message(
    label: str, sent: RequestView, cassette: str, candidates: Sequence[RequestView]
) -> str:
    """One paragraph: which check, what it sent, the nearest recorded request, what differs, the fix."""
    head = f"{label} sent {describe(sent)}, which is not recorded in {cassette}."
    fix = (
        "Nothing was sent. Re-record with `foundry-conformance run --mode record --cassettes "
        "DIR`, or replay with the options the recording used (listed in its metadata.json)."
    )
    return f"{head} {nearest_recorded(sent, candidates)} {fix}"


def nearest_recorded(sent: RequestView, candidates: Sequence[RequestView]) -> str:
    """One sentence: the recorded request nearest to ``sent`` and what differs."""
    best = nearest(sent, candidates)
    if best is None:
        return "The cassette set holds no recorded request at all."
    diffs = differences(sent, best)
    if diffs:
        return (
            f"Nearest recorded request: {describe(best)} ({best.where}); it differs in "
            + "; ".join(diffs[:MAX_DIFFERENCES])
            + "."
        )
    if best.own and best.played:
        return (
            f"The same request is recorded ({best.where}) and was already answered: the check "
            "sent it more often than when it was recorded."
        )
    return (
        f"The same request is recorded for another case ({best.where}), but answers are "
        "never borrowed across cases: this case's own recording lacks it (deleted, or "
        "recorded by another suite or harness version)."
    )


def _query_text(pairs: Sequence[tuple[str, str]]) -> str:
    return "&".join(f"{k}={v}" for k, v in pairs)


def _show(mapping: Mapping[str, Any], key: str) -> str:
    return _dump(mapping[key]) if key in mapping else "absent"


def _dump(value: Any) -> str:
    return _cut(json.dumps(value, ensure_ascii=False, sort_keys=True))


def _cut(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"

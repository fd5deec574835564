"""Per-case request transcripts and request-ID lines, for the pytest-html and JUnit extras (pure).

The interactions given here are already redacted by the client seam (credential headers show as
``[REDACTED]``); this module only lays them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from ..core.interactions import Interaction
from .evidence import utc_time

TRANSCRIPT_BODY_LIMIT = 2000


def case_label(check_id: str, param_id: str | None = None) -> str:
    """``AUTH-BAD-KEY[api-key]``: a check case's name in JUnit and pytest-html."""
    return f"{check_id}[{param_id}]" if param_id else check_id


def _body(text: str, prefix: str) -> list[str]:
    if not text:
        return []
    cut = text[:TRANSCRIPT_BODY_LIMIT]
    lines = [f"{prefix} {line}".rstrip() for line in cut.splitlines()]
    if len(text) > TRANSCRIPT_BODY_LIMIT:
        lines.append(f"{prefix} … [{len(text) - TRANSCRIPT_BODY_LIMIT} more characters]")
    return [prefix, *lines]


def _headers(headers: Mapping[str, str], prefix: str) -> list[str]:
    return [f"{prefix} {name}: {value}" for name, value in sorted(headers.items())]


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} ms"


def exchange(ix: Interaction) -> str:
    """One request and its answer, curl -v style (``>`` sent, ``<`` received)."""
    context = ", ".join(
        f"{name}: {value}"
        for name, value in (("auth", ix.auth), ("deployment", ix.deployment), ("case", ix.case))
        if value
    )
    lines = [f"#{ix.seq} {ix.method} {ix.url}" + (f"   ({context})" if context else "")]
    lines.append(f"  sent {utc_time(ix.started_at)}")
    lines += _headers(ix.request_headers, ">")
    lines += _body(ix.request_body, ">")
    lines.append("")
    first_token = f", first token {_ms(ix.ttft_ms)}" if ix.ttft_ms is not None else ""
    timing = f"first byte {_ms(ix.ttfb_ms)}{first_token}, total {_ms(ix.elapsed_ms)}"
    if ix.status is None:
        lines.append(f"< no answer: {ix.error_class or 'error'}: {ix.error_message or ''}".rstrip())
        lines.append(f"  ({timing})")
        return "\n".join(lines)
    lines.append(f"< HTTP {ix.status}   ({timing}{', streamed' if ix.streamed else ''})")
    lines += _headers(ix.response_headers, "<")
    lines += _body(ix.response_body, "<")
    if ix.error_class:
        lines.append(f"< then: {ix.error_class}: {ix.error_message or ''}".rstrip())
    return "\n".join(lines)


def transcript(interactions: Sequence[Interaction]) -> str:
    """Every exchange of a case, separated by a rule."""
    rule = "\n\n" + "─" * 72 + "\n\n"
    return rule.join(exchange(ix) for ix in interactions)


class Correlated(Protocol):
    """An exchange as far as its correlation IDs go: an ``Interaction``, or a summary's
    ``Evidence`` (which keeps the client's request ID as a field)."""

    @property
    def seq(self) -> int: ...
    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def status(self) -> int | None: ...
    @property
    def error_class(self) -> str | None: ...
    @property
    def request_id(self) -> str | None: ...
    @property
    def apim_request_id(self) -> str | None: ...
    @property
    def started_at(self) -> float: ...


def request_id_line(ix: Correlated, client_id: str | None = None) -> str:
    """``#5 POST /anthropic/v1/messages → 401  request-id: —  apim-request-id: …``
    (``client_id``: the ``x-ms-client-request-id`` sent, when not in the exchange's headers)."""
    status = str(ix.status) if ix.status is not None else f"no answer ({ix.error_class})"
    if isinstance(ix, Interaction):
        client_id = ix.request_headers.get("x-ms-client-request-id")
    parts = [
        f"#{ix.seq} {ix.method} {ix.path} → {status}",
        f"request-id: {ix.request_id or '—'}",
        f"apim-request-id: {ix.apim_request_id or '—'}",
    ]
    if client_id:
        parts.append(f"x-ms-client-request-id: {client_id}")
    parts.append(utc_time(ix.started_at))
    return "  ".join(parts)


def request_ids(interactions: Iterable[Interaction], judged: bool = False) -> str:
    """The correlation IDs of a case's requests, one line each (``judged``: other checks' requests)."""
    lines = [request_id_line(ix) for ix in interactions]
    if not lines:
        return ""
    head = "requests of other checks that this check judged" if judged else "requests of this case"
    return "\n".join([f"{head} ({len(lines)}):", *lines])

"""What the harness keeps of one HTTP exchange: already redacted, small, and serialisable.

An ``Interaction`` is the unit of evidence. The seam (``conformance.target.seam``) creates one for
every request of a run, after redaction; checks judge them, the diagnosis engine explains them, and
the writers show them. Nothing downstream ever sees a raw request.

Who sent a request (check ID, case, auth variant, whether a refusal is the point) travels in a
context variable set by ``tagged()``, so that the official SDK, which knows nothing of checks, is
tagged too, and so that each thread of a concurrent run tags its own requests.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Any

BODY_EXCERPT_LIMIT = 4096

REQUEST_ID_HEADER = "request-id"
APIM_REQUEST_ID_HEADER = "apim-request-id"
CLIENT_REQUEST_ID_HEADER = "x-ms-client-request-id"
# The case of a request the run itself sends, outside any check (``session::discovery``).
RUN_CASE_PREFIX = "session::"


def run_case(step: str) -> str:
    """The case under which the run's own requests for ``step`` are tagged and recorded."""
    return RUN_CASE_PREFIX + step


def run_step_of(case: str | None) -> str | None:
    """The step of the run (``discovery``, ``primary-auth``) a run's own request was for."""
    if case is None or not case.startswith(RUN_CASE_PREFIX):
        return None
    return case.removeprefix(RUN_CASE_PREFIX)


def excerpt(text: str, limit: int = BODY_EXCERPT_LIMIT) -> str:
    """The first ``limit`` characters of ``text``, marked when cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters]"


@dataclass
class Interaction:
    """One request and its answer (or the transport failure that replaced the answer)."""

    seq: int
    method: str
    url: str
    path: str
    request_headers: dict[str, str]
    request_body: str
    started_at: float
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""
    elapsed_ms: float | None = None
    ttfb_ms: float | None = None
    # Time to the first content delta of a stream, on the same clock as ``elapsed_ms``.
    ttft_ms: float | None = None
    error_class: str | None = None
    error_message: str | None = None
    auth: str | None = None
    check_id: str | None = None
    # The check's parametrised case (its pytest node ID) when one check runs several times.
    case: str | None = None
    streamed: bool = False
    complete: bool = False
    deployment: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    # Prompt caching's writes and reads, which input_tokens leaves out (a write is billed, and
    # counts against the input-token quota; a read does not).
    cache_write_tokens: int | None = None
    cache_read_tokens: int | None = None
    # A request sent to provoke an error (a wrong key, an unknown deployment, an unsupported route):
    # its refusal is the expected outcome, not a finding about the endpoint.
    expects_error: bool = False
    # Where the raw answer spelled a credential of the run (``core.echo``): the places, never
    # the value (which the redaction removed from everything kept here).
    echoed: list[str] = field(default_factory=list)
    # A replay's request that its recording has no answer for (so it was never sent): what the
    # recording lacks, in one sentence. Such a request proves nothing about the endpoint.
    unrecorded: str | None = None

    @property
    def request_id(self) -> str | None:
        """Anthropic's ``request-id``, present only when the Anthropic layer answered."""
        return self.response_headers.get(REQUEST_ID_HEADER)

    @property
    def apim_request_id(self) -> str | None:
        """Azure API Management's ``apim-request-id`` (the CorrelationId in Azure logs)."""
        return self.response_headers.get(APIM_REQUEST_ID_HEADER)

    @property
    def answered(self) -> bool:
        """Whether an HTTP status came back at all."""
        return self.status is not None

    @property
    def ended(self) -> bool:
        """Whether the exchange came to an end: an answer, or the failure that replaced it (a
        request still in flight when the run was stopped has neither)."""
        return self.status is not None or self.error_class is not None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy, with the correlation IDs spelled out."""
        data = asdict(self)
        data["request_id"] = self.request_id
        data["apim_request_id"] = self.apim_request_id
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Interaction:
        """The inverse of ``to_dict`` (derived keys are ignored)."""
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})


# -- who sent a request ---------------------------------------------------------------------


@dataclass(frozen=True)
class RequestTag:
    """Who sent a request, and whether a refusal is the expected outcome."""

    check_id: str | None = None
    case: str | None = None
    auth: str | None = None
    expects_error: bool = False


_NO_TAG = RequestTag()  # frozen, so a shared default is safe
_current_tag: contextvars.ContextVar[RequestTag] = contextvars.ContextVar(
    "foundry_conformance_request_tag",
    default=_NO_TAG,
)


@contextlib.contextmanager
def tagged(**changes: Any) -> Iterator[RequestTag]:
    """Tag every request made inside the block (fields not given are inherited)."""
    tag = replace(_current_tag.get(), **changes)
    token = _current_tag.set(tag)
    try:
        yield tag
    finally:
        _current_tag.reset(token)


def current_tag() -> RequestTag:
    """The tag requests made now would carry."""
    return _current_tag.get()

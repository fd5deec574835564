"""Where an answer spelled a credential of the run: a finding about the endpoint (pure).

The seam asks this of every raw answer before it redacts it (and a record run, of the answer it
files), so that a server that sends a key or a token back — in its status line, a header's name
or value, its body or its event stream — is reported (``credential-echoed``) with *where* it was
echoed, never *what*: the places are named in words, and a header by its redacted name.

A replay has only the scrubbed answers, in which the echo is a marker; the recording keeps the
places in each response entry, and the replay hands them to the seam in the response's
``extensions`` under ``ECHO_EXTENSION``.
"""

from __future__ import annotations

from collections.abc import Iterable

from .redaction import Redactor

ECHO_EXTENSION = "foundry_conformance.echoed"

STATUS_LINE = "the status line"
HEADER_NAME = "a header's name"
BODY = "the body"
EVENT_STREAM = "the event stream"
TRANSPORT_ERROR = "the transport error that ended the answer"
# What a (hand-edited) cassette may claim: a few short places, no more.
MAX_PLACES = 8
MAX_PLACE = 120


def header_place(redactor: Redactor, name: str) -> str:
    """How an echo in the value of the header ``name`` is described."""
    return f"the {redactor.header_name(name)} header"


def where_echoed(
    redactor: Redactor,
    *,
    reason: str = "",
    headers: Iterable[tuple[str, str]] = (),
    body: str | None = None,
    stream: bool = False,
) -> tuple[str, ...]:
    """The places of an answer that spell a registered secret, in order, each once."""
    found: list[str] = []
    if reason and redactor.contains_secret(reason):
        found.append(STATUS_LINE)
    for name, value in headers:
        if redactor.contains_secret(name):
            found.append(HEADER_NAME)
        elif value and redactor.contains_secret(value):
            found.append(header_place(redactor, name))
    if body and redactor.contains_secret(body):
        found.append(EVENT_STREAM if stream else BODY)
    return tuple(dict.fromkeys(found))


def recorded_places(value: object) -> tuple[str, ...]:
    """The places a recording or a response extension names (anything else is ignored)."""
    if not isinstance(value, list | tuple):
        return ()
    places = (place[:MAX_PLACE] for place in value if isinstance(place, str) and place)
    return tuple(dict.fromkeys(places))[:MAX_PLACES]

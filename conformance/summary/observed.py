"""What the wire showed, for telling drift between runs (pure): every response header name, and
every kind of error body, each with the request that first carried it.

Names, not values (a value is a request ID or a date); an error body by its signature (status,
error code, and its message with numbers and IDs masked), so that the same refusal on another
day is the same signature and a new wording is a new one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..core.interactions import Interaction
from ..core.redaction import Redactor
from ..core.untrusted import UntrustedJSONError, parse_json

MAX_SIGNATURE = 160
_UUID = re.compile(r"[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}")
_IDS = re.compile(r"\b(?:req|msg|toolu|srvtoolu)_[A-Za-z0-9]+|\b[0-9A-Fa-f]{16,}\b")
_NUMBERS = re.compile(r"\d+(?:\.\d+)?")


@dataclass
class Sighting:
    """Where something was first seen, and how often."""

    request_id: str | None = None
    apim_request_id: str | None = None
    check: str | None = None
    status: int | None = None
    count: int = 0


@dataclass
class Observed:
    """The response header names and error-body signatures a run met."""

    recorded: bool = False  # False: an older summary, which did not keep them
    headers: dict[str, Sighting] = field(default_factory=dict)
    error_bodies: dict[str, Sighting] = field(default_factory=dict)


def observe(interactions: Sequence[Interaction], redactor: Redactor) -> Observed:
    """Header names and error signatures of ``interactions``, in the order first met."""
    seen = Observed(recorded=True)
    for ix in interactions:
        if ix.status is None:
            continue
        for name in ix.response_headers:
            _sight(seen.headers, name.lower(), ix)
        if ix.status >= 400:
            _sight(
                seen.error_bodies, redactor.text(error_signature(ix.status, ix.response_body)), ix
            )
    seen.headers = dict(sorted(seen.headers.items()))
    return seen


def error_signature(status: int, body: str) -> str:
    """``401 401: Access denied due to invalid subscription key…``: the status, the error's code
    or type, and its message with IDs and numbers masked."""
    code, message = "", body
    try:
        data = parse_json(body, source="the error body")
    except UntrustedJSONError:  # not JSON, or past the bounds of a body (100k deep, say)
        data = None
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        code = str(error.get("code") or error.get("type") or "")
        message = str(error.get("message") or "")
    elif isinstance(data, dict) and isinstance(data.get("message"), str):
        message = data["message"]
    elif data is not None:
        message = "(JSON without an error object)"
    masked = _NUMBERS.sub("#", _IDS.sub("<id>", _UUID.sub("<id>", message)))
    masked = " ".join(masked.split())
    text = f"{status} {code}: {masked}" if code else f"{status}: {masked}"
    return text if len(text) <= MAX_SIGNATURE else text[: MAX_SIGNATURE - 1] + "…"


def _sight(table: dict[str, Sighting], key: str, ix: Interaction) -> None:
    sighting = table.get(key)
    if sighting is None:
        sighting = table[key] = Sighting(
            request_id=ix.request_id,
            apim_request_id=ix.apim_request_id,
            check=ix.check_id,
            status=ix.status,
        )
    sighting.count += 1

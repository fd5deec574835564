"""A cassette set as a record run writes it: the file of each case, ``metadata.json`` (started,
then completed with the outcome), and what makes a parsed cassette usable.

What a replay reads of the metadata before it starts is ``config.recording``'s. Plain files and
JSON: no network, pytest or vcrpy.
"""

from __future__ import annotations

import json
import os
import platform
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import Settings
from ..config.recording import (
    CASSETTE_SUFFIX,
    CASSETTES_FORMAT,
    FORMAT_VERSION,
    METADATA_FILE,
    owned_files,
)
from ..core.echo import recorded_places
from ..core.redaction import SECRET_HEADERS, Redactor
from .scrub import REDACTED_HOST

VCR_CASSETTE_VERSION = 1  # vcrpy's own cassette format (``version: 1`` in every file)
_UNSAFE = re.compile(r"[^A-Za-z0-9._,=+@\[\]-]+")


def cassette_name(check_id: str | None, case: str | None, redactor: Redactor | None = None) -> str:
    """The file of a check case: check ID and parameters (``AUTH-BAD-KEY[api-key].yaml``); with
    ``redactor``, never a name that spells a secret (a deployment named like the key, say)."""
    case = case or "untagged"
    if check_id:
        params = case[case.index("[") :] if case.endswith("]") and "[" in case else ""
        stem = check_id + params
    else:
        stem = "_" + case  # the session's own requests, outside any check
    name = _UNSAFE.sub("_", stem).strip(".") + CASSETTE_SUFFIX
    if redactor is not None and redactor.contains_secret(name):
        name = redactor.file_name(name.removesuffix(CASSETTE_SUFFIX)) + CASSETTE_SUFFIX
    return name


def new_metadata(
    settings: Settings, base_url: str, started_at: datetime, harness: Mapping[str, str]
) -> dict[str, Any]:
    """``metadata.json`` as a recording starts (``base_url`` scrubbed); the end adds the outcome."""
    return {
        "format": CASSETTES_FORMAT,
        "format_version": FORMAT_VERSION,
        "source": "live",
        "recorded_at": started_at.astimezone(UTC).isoformat(timespec="seconds"),
        "finished_at": None,
        "endpoint": {
            "base_url": base_url,
            "resource": REDACTED_HOST.split(".")[0]
            if settings.redact_resource and settings.resource
            else settings.resource,
            "resource_redacted": settings.redact_resource,
        },
        "deployments": list(settings.deployments),
        "auth_modes": [mode.value for mode in settings.auth_modes],
        "entra_scope": settings.entra_scope,
        "suite": settings.suite.value,
        "select": list(settings.select),
        "probe_rate_limit": settings.probe_rate_limit,
        "harness": {
            "foundry_conformance": __version__,
            **harness,
            "python": platform.python_version(),
        },
        # Which scrubbing ran, so a reader can tell what the files cannot contain.
        "scrubbed": {
            "headers": sorted(SECRET_HEADERS),
            "secret_values": "every credential of the run, plain, URL-encoded and base64",
            "jwt_shaped_strings": True,
            "resource_host": settings.redact_resource,
        },
        "verdict": None,
        "counts": None,
        "token_scopes": {},
        # Every file the recording writes, listed before it is written: what it owns.
        "files": [],
        "cases": {},
    }


def previous_cassettes(directory: Path) -> list[Path]:
    """The cassette files an earlier recording in ``directory`` wrote, as its metadata lists them
    (a new recording replaces those, and never touches another file)."""
    owned = owned_files(directory) - {METADATA_FILE}
    return sorted(path for name in owned if (path := directory / name).is_file())


def write_json(path: Path, document: Mapping[str, Any]) -> Path:
    """Write ``document`` as JSON, atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    os.replace(temporary, path)
    return path


def cassette_problem(data: Any) -> str | None:
    """What makes parsed cassette YAML unusable (a truncated or hand-broken file), or None."""
    if not isinstance(data, dict):
        return "it is not a vcrpy cassette (no mapping at the top)"
    if "version" not in data:
        return "it lacks the `version` line that ends every complete cassette (truncated?)"
    if data["version"] != VCR_CASSETTE_VERSION:
        return f"it is vcrpy cassette format {data['version']!r}, not {VCR_CASSETTE_VERSION}"
    interactions = data.get("interactions")
    if not isinstance(interactions, list):
        return "it has no `interactions` list"
    for number, item in enumerate(interactions, start=1):
        problem = _interaction_problem(item)
        if problem:
            return f"interaction #{number} {problem}"
    return None


def _interaction_problem(item: Any) -> str | None:
    if not isinstance(item, dict):
        return "is not a mapping"
    request, response = item.get("request"), item.get("response")
    if not isinstance(request, dict) or not {"method", "uri", "headers"} <= set(request):
        return "has no complete `request` (method, uri, headers)"
    if not isinstance(response, dict):
        return "has no `response`"
    status = response.get("status")
    if not isinstance(status, dict) or not isinstance(status.get("code"), int):
        return "has no `response.status.code`"
    body = response.get("body")
    if not isinstance(body, dict) or "string" not in body:
        return "has no `response.body.string`"
    chunks = body.get("chunks")
    if chunks is not None and not (
        isinstance(chunks, list) and all(isinstance(c, str) for c in chunks)
    ):
        return "has `response.body.chunks` that is not a list of strings"
    if not isinstance(response.get("headers"), dict):
        return "has no `response.headers`"
    echoed = response.get("echoed")
    if echoed is not None and (
        not isinstance(echoed, list) or recorded_places(echoed) != tuple(echoed)
    ):
        return "has `response.echoed` that is not a short list of places"
    return None


def set_source(directory: Path, source: str) -> None:
    """Relabel a recorded set's ``source`` (``emulator:default`` for sets recorded from it)."""
    path = directory / METADATA_FILE
    document = json.loads(path.read_text("utf-8"))
    document["source"] = source
    write_json(path, document)

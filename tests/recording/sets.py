"""A minimal cassette set on disk, for tests that resolve a replay's configuration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.config.recording import CASSETTES_FORMAT

RECORDED_BASE_URL = "https://REDACTED-RESOURCE.services.ai.azure.com/anthropic/"


def metadata(**changes: Any) -> dict[str, Any]:
    """A ``metadata.json`` document as a record run writes it, with ``changes``."""
    return {
        "format": CASSETTES_FORMAT,
        "format_version": 1,
        "source": "live",
        "recorded_at": "2025-12-30T10:00:00+00:00",
        "endpoint": {"base_url": RECORDED_BASE_URL, "resource": None},
        "deployments": ["claude-sonnet-4-5"],
        "auth_modes": ["api-key", "x-api-key", "entra"],
        "harness": {"foundry_conformance": "0.1.0"},
        **changes,
    }


def write_cassette_set(directory: Path, **changes: Any) -> Path:
    """A directory holding only ``metadata.json``: enough for a replay to resolve."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "metadata.json").write_text(json.dumps(metadata(**changes)), "utf-8")
    return directory

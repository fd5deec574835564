"""The environment variables a developer's shell may carry into a test run (and must not)."""

from __future__ import annotations

FOUNDRY_VARIABLES = (
    "ANTHROPIC_FOUNDRY_API_KEY",
    "ANTHROPIC_FOUNDRY_RESOURCE",
    "ANTHROPIC_FOUNDRY_BASE_URL",
    "FOUNDRY_CONFORMANCE_ENTRA_TOKEN",
    "FOUNDRY_CONFORMANCE_UNPRIVILEGED_TOKEN",
)

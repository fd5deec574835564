"""The harness's own names: environment variables, the emulator's development key and
principal, thread names. (Facts about the platform are in ``platform.toml``.)"""

from __future__ import annotations

# The environment variables the official SDKs read, and the harness's own token variable.
ENV_API_KEY = "ANTHROPIC_FOUNDRY_API_KEY"
ENV_RESOURCE = "ANTHROPIC_FOUNDRY_RESOURCE"
ENV_BASE_URL = "ANTHROPIC_FOUNDRY_BASE_URL"
ENV_ENTRA_TOKEN = "FOUNDRY_CONFORMANCE_ENTRA_TOKEN"
# A token of a principal *without* a data-plane role, for the opt-in AUTH-RBAC probe.
ENV_UNPRIVILEGED_TOKEN = "FOUNDRY_CONFORMANCE_UNPRIVILEGED_TOKEN"

# Set by a fleet run for each target's process: where the fleet's shared quota book is served.
ENV_QUOTA_BOOK = "FOUNDRY_CONFORMANCE_QUOTA_BOOK"

# The one principal the embedded emulator has not assigned a data-plane role (as a developer's own
# resource would have it): the opt-in AUTH-RBAC probe mints a token for it. Every other principal
# holds the role, as RBAC assignments are not in tokens.
EMULATOR_UNPRIVILEGED_PRINCIPAL = "00000000-0000-4000-8000-0000000000aa"

# Like Azurite's well-known account key: the one key the embedded emulator accepts when
# ANTHROPIC_FOUNDRY_API_KEY is not set in its environment. Printed when it starts; worthless elsewhere.
EMULATOR_DEV_API_KEY = "emulator-dev-key-00000000-f0d7-4c1a-b5e0-c1a0de000000"

# The names of the threads ``--jobs`` runs checks on (the console script looks for them).
POOL_THREAD_PREFIX = "foundry-check"

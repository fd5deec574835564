"""Platform facts the harness's own tests name, read from the built-in platform profile (the
package itself names none: ``tests/core/test_platform_is_data.py``)."""

from __future__ import annotations

from conformance.core.platform_load import builtin_profile

PROFILE = builtin_profile()
COGNITIVE_SERVICES_SCOPE, AI_AZURE_SCOPE = PROFILE.accepted_scopes[:2]
DEFAULT_ENTRA_SCOPE = PROFILE.default_scope
KNOWN_ENTRA_SCOPES = PROFILE.accepted_scopes
ANTHROPIC_VERSION = PROFILE.documented_version
RATE_LIMIT_HEADERS = PROFILE.rate_limit_headers
RATE_LIMIT_HEADER_PREFIX = PROFILE.rate_limit_header_prefix
DATA_PLANE_ROLES = PROFILE.role_names
DEFAULT_DEPLOYMENT_NAMES = PROFILE.emulator_deployments
COGNITIVE_SERVICES_AUDIENCE, AI_AZURE_AUDIENCE = PROFILE.accepted_audiences[:2]

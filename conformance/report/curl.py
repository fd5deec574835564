"""A curl line that reproduces a failing request, with placeholders where secrets go (pure).

Secrets are never values here: the line names the environment variable that holds the key, or
``$TOKEN`` for a bearer token, so that a ticket can be pasted anywhere.
"""

from __future__ import annotations

import json
import shlex
from urllib.parse import urlsplit

from ..core.constants import ENV_API_KEY
from ..core.jwt_claims import normalize_audience
from ..core.platform_load import builtin_profile
from .evidence import RequestShape

PROMPT = "Reply with the single word: ok"
_SCOPES = builtin_profile().accepted_scopes  # the default first, then the other one


def _token_hint(scope: str) -> str:
    return (
        f"TOKEN=$(az account get-access-token --resource {normalize_audience(scope)} "
        "--query accessToken -o tsv)"
    )


ENTRA_TOKEN_HINT = _token_hint(_SCOPES[0])
ALT_SCOPE_TOKEN_HINT = _token_hint(_SCOPES[-1])

# The auth label a request was tagged with → the header that reproduces it, and a preparatory line.
_KEY = f"${ENV_API_KEY}"
AUTH_HEADERS: dict[str, tuple[str | None, str | None]] = {
    "x-api-key": (f"x-api-key: {_KEY}", None),
    "sdk-key": (f"x-api-key: {_KEY}", None),
    "api-key": (f"api-key: {_KEY}", None),
    "entra": ("Authorization: Bearer $TOKEN", ENTRA_TOKEN_HINT),
    "sdk-entra": ("Authorization: Bearer $TOKEN", ENTRA_TOKEN_HINT),
    "entra-alt-scope": ("Authorization: Bearer $TOKEN", ALT_SCOPE_TOKEN_HINT),
    "rbac-probe": (
        "Authorization: Bearer $TOKEN",
        "# TOKEN: a token of a principal without a data-plane role",
    ),
    "key-as-bearer": (f"Authorization: Bearer {_KEY}", None),
    # Deliberately wrong credentials: the placeholders are the point, not stand-ins for secrets.
    "bad-key": ("x-api-key: not-a-valid-key", None),
    "bad-token": ("Authorization: Bearer not-a-jwt", None),
    "none": (None, None),
}


def request_url(base_url: str, path: str) -> str:
    """The base URL's scheme and host with the request's path."""
    parts = urlsplit(base_url)
    if not parts.scheme or not parts.netloc:
        return f"https://YOUR-RESOURCE.services.ai.azure.com{path}"
    return f"{parts.scheme}://{parts.netloc}{path}"


def stand_in_body(shape: RequestShape) -> str | None:
    """A minimal body of the request's kind (the harness's exact body is in its transcript)."""
    if shape.method.upper() in ("GET", "HEAD", "DELETE"):
        return None
    model = shape.deployment or "YOUR-DEPLOYMENT"
    messages = [{"role": "user", "content": PROMPT}]
    if shape.path.endswith("/messages/count_tokens"):
        return json.dumps({"model": model, "messages": messages})
    if shape.path.endswith("/messages"):
        return json.dumps({"model": model, "max_tokens": 1, "messages": messages})
    return "{}"


def curl_command(base_url: str, shape: RequestShape, api_version: str) -> str:
    """The shell lines that send ``shape`` again, one header per line (``api_version``: the
    ``anthropic-version`` the harness sent, the platform profile's documented one)."""
    header, prelude = AUTH_HEADERS.get(shape.auth or "none", (f"x-api-key: {_KEY}", None))
    lines = [prelude] if prelude else []
    lines.append(
        f"curl -sS -i -X {shape.method.upper()} {shlex.quote(request_url(base_url, shape.path))}"
    )
    if header:
        lines.append(f'  -H "{header}"')
    lines.append(f'  -H "anthropic-version: {api_version}"')
    body = stand_in_body(shape)
    if body is not None:
        lines.append('  -H "content-type: application/json"')
        lines.append(f"  -d {shlex.quote(body)}")
    return lines[0] + "\n" + " \\\n".join(lines[1:]) if prelude else " \\\n".join(lines)

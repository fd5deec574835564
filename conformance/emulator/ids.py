"""Deterministic identifiers: every ID of a reply derives from a hash of the request.

The seed is the request (method, path, body, auth variant) plus how many identical requests came
before it, so a fresh emulator fed the same sequence answers byte for byte the same, while two
identical requests in a row still get distinct IDs, as on the platform.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58(digest: bytes, length: int) -> str:
    """``length`` base58 characters drawn from ``digest`` (most significant first)."""
    number = int.from_bytes(digest, "big")
    chars: list[str] = []
    for _ in range(length):
        number, rest = divmod(number, 58)
        chars.append(BASE58_ALPHABET[rest])
    return "".join(chars)


@dataclass(frozen=True)
class IdSource:
    """The IDs of one reply, all drawn from one seed."""

    seed: bytes

    def _digest(self, label: str) -> bytes:
        return hashlib.sha256(self.seed + b"\x00" + label.encode()).digest()

    def request_id(self) -> str:
        """Anthropic's ``request-id``: ``req_011C`` and 20 base58 characters."""
        return "req_011C" + base58(self._digest("request-id"), 20)

    def message_id(self) -> str:
        """A message ``id``: ``msg_01`` and 22 base58 characters."""
        return "msg_01" + base58(self._digest("message-id"), 22)

    def tool_use_id(self, index: int) -> str:
        """The ``id`` of the ``index``-th tool_use block: ``toolu_01`` and 22 base58 characters."""
        return "toolu_01" + base58(self._digest(f"tool-use-{index}"), 22)

    def apim_request_id(self) -> str:
        """Azure's ``apim-request-id``: a version-4-shaped UUID."""
        return str(uuid.UUID(bytes=self._digest("apim-request-id")[:16], version=4))


def request_key(method: str, path: str, body: bytes, auth_variant: str) -> bytes:
    """What makes two requests identical for the emulator (the credential itself is left out)."""
    hasher = hashlib.sha256()
    for part in (method.encode(), path.encode(), auth_variant.encode()):
        hasher.update(len(part).to_bytes(8, "big") + part)
    hasher.update(body)
    return hasher.digest()


def ids_for(key: bytes, occurrence: int) -> IdSource:
    """The IDs of the ``occurrence``-th (from 0) request with this ``key``."""
    return IdSource(hashlib.sha256(key + occurrence.to_bytes(8, "big")).digest())

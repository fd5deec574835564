"""Prompt caching: a prefix marked with ``cache_control`` is written on first sight and read on the
next identical prefix within its TTL, per model pool (as the platform caches per model).

The prefix runs, in the order the API reads a request, over the tools, the system blocks and the
messages' content blocks, up to the last block that carries ``cache_control``; it is cached only
if it holds at least the model's minimum (the platform profile's ``cache_min_tokens``). Its
tokens are counted like every input token of the emulator (``messages.count_input_tokens``), and
a TTL is read from its spelling (``5m``, ``1h``). Not thread-safe: the emulator calls it under
its lock.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_TTL = "5m"
_TTL = re.compile(r"(\d+)([smh])")
_UNIT_S = {"s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class CacheUsage:
    """What one request wrote to and read from the cache, in input tokens."""

    written: int = 0
    read: int = 0
    ttl: str = DEFAULT_TTL

    @property
    def by_ttl(self) -> dict[str, int]:
        """``usage.cache_creation``: the tokens written per TTL."""
        return {
            "ephemeral_5m_input_tokens": self.written if self.ttl != "1h" else 0,
            "ephemeral_1h_input_tokens": self.written if self.ttl == "1h" else 0,
        }


NO_CACHE = CacheUsage()


def ttl_seconds(ttl: str) -> float:
    """``5m`` → 300."""
    match = _TTL.fullmatch(ttl.strip())
    return float(int(match.group(1)) * _UNIT_S[match.group(2)]) if match else 300.0


def _segments(body: Mapping[str, Any]) -> Iterator[Mapping[str, Any] | str]:
    """The request's blocks in cache order (a string system prompt or content is one block)."""
    yield from body.get("tools") or ()
    system = body.get("system")
    yield from system if isinstance(system, list) else ([system] if system else [])
    for message in body.get("messages") or ():
        content = message.get("content") if isinstance(message, Mapping) else None
        yield from content if isinstance(content, list) else ([content] if content else [])


def cached_prefix(body: Mapping[str, Any]) -> tuple[list[Any], str] | None:
    """The blocks up to the last ``cache_control`` breakpoint, and its TTL; None without one."""
    blocks = list(_segments(body))
    marked = [i for i, b in enumerate(blocks) if isinstance(b, Mapping) and b.get("cache_control")]
    if not marked:
        return None
    last = blocks[marked[-1]]
    control = last.get("cache_control") if isinstance(last, Mapping) else None
    ttl = control.get("ttl") if isinstance(control, Mapping) else None
    return blocks[: marked[-1] + 1], ttl if isinstance(ttl, str) else DEFAULT_TTL


class PromptCache:
    """Cached prefixes per pool, each until its TTL runs out (refreshed when read)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._entries: dict[tuple[Hashable, bytes], float] = {}

    def use(
        self,
        pool: Hashable,
        body: Mapping[str, Any],
        minimum: int,
        count: Callable[[list[Any]], int],
    ) -> CacheUsage:
        """What ``body`` writes to or reads from the cache of ``pool``."""
        found = cached_prefix(body)
        if found is None:
            return NO_CACHE
        blocks, ttl = found
        tokens = count(blocks)
        if tokens < minimum:
            return NO_CACHE
        key = (pool, hashlib.sha256(json.dumps(blocks, sort_keys=True).encode()).digest())
        now = self._clock()
        expires = self._entries.get(key)
        self._entries[key] = now + ttl_seconds(ttl)
        if expires is not None and now < expires:
            return CacheUsage(read=tokens, ttl=ttl)
        return CacheUsage(written=tokens, ttl=ttl)

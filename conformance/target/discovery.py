"""Which of the platform profile's default deployment names exist on the resource.

Foundry serves no Models API, so the only way to learn which deployments a resource has is to ask
for each: one ``count_tokens`` request per name (free: it bills nothing), with the run's primary
auth, a few at once. A name is *found* when the endpoint counts tokens for it, *absent* when it
answers the deployment-not-found 404, and *unclear* otherwise (a refused credential, throttling,
an outage): then the run cannot tell, and says so instead of guessing.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from ..core.errors import BudgetExceeded
from ..core.interactions import run_case, tagged
from ..judge.errors import classify_error_body

Send = Callable[[str], httpx.Response]

# The case the discovery requests are recorded under (a cassette of its own in record runs).
DISCOVERY_CASE = run_case("discovery")
# The one case of a per-deployment check when there is no deployment to test (nothing found, or
# --collect-only, which sends nothing): the check is skipped with the reason.
NO_DEPLOYMENT = "no-deployment-found"


@dataclass(frozen=True)
class Discovery:
    """What probing the default names found."""

    probed: tuple[str, ...]
    found: tuple[str, ...]
    absent: tuple[str, ...]
    unclear: tuple[tuple[str, str], ...]  # (name, what the endpoint answered)

    @property
    def nothing_found(self) -> bool:
        """Whether every name probed is absent (no probe failed to tell)."""
        return bool(self.probed) and not self.found and not self.unclear

    def joined(self, more: Discovery) -> Discovery:
        """This inventory and ``more``, of other names, as one."""
        return Discovery(
            self.probed + more.probed,
            self.found + more.found,
            self.absent + more.absent,
            self.unclear + more.unclear,
        )

    def to_test(self) -> tuple[str, ...]:
        """The deployments a run without --deployment tests: those found; if none was found but
        some probe could not tell (refused, throttled, failed), the first of those, so that the
        checks meet and diagnose what stood in the way; none if every name is absent."""
        if self.found:
            return self.found
        return self.unclear[0][:1] if self.unclear else ()


def says_not_found(response: httpx.Response) -> bool:
    """Whether a 404 is the deployment-not-found one (Azure's or Anthropic's wording)."""
    if response.status_code != 404:
        return False
    signature = classify_error_body(404, dict(response.headers), response.text)
    if signature.code == "DeploymentNotFound" or signature.type == "not_found_error":
        return True
    if signature.code == "404":
        return False  # Azure's generic "Resource not found": a wrong base path, not a name
    text = (signature.message or response.text).lower()
    return "not found" in text or "does not exist" in text


def discover(
    names: Sequence[str], send: Send, *, parallel: int, until_found: bool = False
) -> Discovery:
    """Probe ``names`` with ``send`` (one count_tokens request each, ``parallel`` at once);
    with ``until_found``, in batches, stopping after the first batch that finds one."""
    if until_found:
        found = Discovery((), (), (), ())
        for start in range(0, len(names), max(1, parallel)):
            found = found.joined(discover(names[start : start + parallel], send, parallel=parallel))
            if found.found:
                break
        return found

    def probe(name: str) -> tuple[str, str | None]:
        with tagged(check_id=None, case=DISCOVERY_CASE, expects_error=True):
            try:
                response = send(name)
            except httpx.HTTPError as exc:
                return name, f"no answer ({type(exc).__name__})"
            except BudgetExceeded as exc:
                return name, f"not sent: {exc}"
        if 200 <= response.status_code < 300:
            return name, None
        if says_not_found(response):
            return name, "absent"
        return name, f"HTTP {response.status_code}"

    with ThreadPoolExecutor(max(1, min(parallel, len(names) or 1))) as pool:
        # Each probe runs in a copy of the caller's context, so its requests carry the tag.
        results = list(pool.map(lambda n: contextvars.copy_context().run(probe, n), names))
    return Discovery(
        probed=tuple(names),
        found=tuple(name for name, verdict in results if verdict is None),
        absent=tuple(name for name, verdict in results if verdict == "absent"),
        unclear=tuple((n, v) for n, v in results if v is not None and v != "absent"),
    )

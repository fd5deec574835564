"""Why a check of the plan is held back, said truly for the run at hand.

An opt-in probe the suite only lists, the rate-limit probe without ``--probe-rate-limit``: each
gets a reason that says how to run it — and, in a replay, that the cassettes hold no request for
it and how to re-record, never naming a variable whoever replays never set.
"""

from __future__ import annotations

from ..config import Mode, Settings
from ..core import catalog
from ..core.constants import ENV_UNPRIVILEGED_TOKEN
from ..core.errors import Unavailable


def held_back(settings: Settings, check_id: str, outside_suite: set[str]) -> Unavailable | None:
    """Why ``check_id`` does not run in this run's suite and options, if it does not."""
    replay = settings.kind is Mode.REPLAY
    if check_id in outside_suite:
        if replay:
            # Running it here would only fail as not recorded: say how to record it.
            kind = (
                "opt-in probe, not part of the standard suite the recording ran, so the "
                "cassettes hold no request for it: to replay it, re-record with --suite full"
            )
        else:
            kind = "opt-in probe, not part of the standard suite: run it with --suite full"
        return Unavailable(
            f"{kind} (or --select {check_id}){_enable_hint(settings, check_id)}", kind=kind
        )
    if check_id == catalog.RATE_LIMIT_PROBE and not settings.probe_rate_limit:
        if replay:
            return Unavailable(
                "opt-in probe, recorded without --probe-rate-limit, so the cassettes hold no "
                "request for it: to replay it, re-record with --probe-rate-limit"
            )
        return Unavailable(
            "opt-in probe: pass --probe-rate-limit to provoke a 429 on purpose "
            f"(it may send up to {settings.max_requests} requests)"
        )
    return None


def _enable_hint(settings: Settings, check_id: str) -> str:
    if check_id == catalog.RATE_LIMIT_PROBE:
        return " and --probe-rate-limit"
    if check_id == "AUTH-RBAC" and settings.kind is Mode.REPLAY:
        # Whoever replays never set the variable: point at what recording it needs.
        return (
            " and the token of a principal without a data-plane role (README, "
            "Configuration: opt-in probes)"
        )
    if check_id == "AUTH-RBAC" and settings.kind is not Mode.EMULATOR:
        # The emulator mints a role-less token itself; a live run needs a real one.
        return f" and {ENV_UNPRIVILEGED_TOKEN} set"
    return ""

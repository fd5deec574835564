"""What the whole run shows that one exchange cannot: which key variants, deployments and routes
answered. The rules read it to explain one exchange; the readings, to choose what a finding says."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from conformance.core.interactions import Interaction

from ..judge.errors import json_object, split_excerpt
from .routes import route_of

KEY_LABELS = frozenset({"x-api-key", "api-key", "sdk-key", "key-as-bearer"})


@dataclass(frozen=True)
class RunFacts:
    """The successes of a run: by key variant, by deployment name, by route."""

    # Key variants accepted on requests meant to succeed.
    accepted_key_labels: frozenset[str] = frozenset()
    # Deployment names some request got a 2xx for (the inventory's among them), as sent.
    served_deployments: frozenset[str] = frozenset()
    # Routes (paths without their query) some request got a 2xx on.
    succeeded_routes: frozenset[str] = frozenset()

    @classmethod
    def of(cls, interactions: Iterable[Interaction]) -> RunFacts:
        """The facts of ``interactions``."""
        succeeded = [ix for ix in interactions if ix.status is not None and 200 <= ix.status < 300]
        return cls(
            accepted_key_labels=frozenset(
                ix.auth for ix in succeeded if ix.auth in KEY_LABELS and not ix.expects_error
            ),
            served_deployments=frozenset(
                name for ix in succeeded if (name := ix.deployment or requested_model(ix))
            ),
            succeeded_routes=frozenset(route_of(ix.path) for ix in succeeded),
        )

    def served_in_other_case(self, name: str) -> str | None:
        """The deployment that answered in this run whose name is ``name`` but for its case."""
        if name in self.served_deployments:
            return None
        folded = name.casefold()
        return min((s for s in self.served_deployments if s.casefold() == folded), default=None)


def requested_model(ix: Interaction) -> str | None:
    """The ``model`` field (a deployment name) of the request's JSON body, if any."""
    request = json_object(split_excerpt(ix.request_body)[0])
    model = request.get("model") if request else None
    return model if isinstance(model, str) else None

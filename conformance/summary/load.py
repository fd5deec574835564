"""A saved ``summary.json`` read back, for ``report`` and ``ticket``: validated, so that a file that
is not a summary is one clear ``SummaryError`` (exit 2) instead of a failure inside a writer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..core.errors import SummaryError
from .model import (
    SCHEMA,
    VERDICTS,
    CheckResult,
    DiagnosisEntry,
    Evidence,
    RunSummary,
    SecretScan,
    Target,
    UsageTotals,
)

_UNEDITED = "give the summary.json a run wrote, unedited, or re-run the suite to get a fresh one"


def _evidence_list(items: Any) -> list[Evidence]:
    names = set(Evidence.__dataclass_fields__)
    return [Evidence(**{k: v for k, v in item.items() if k in names}) for item in items or []]


def summary_from_dict(data: Any) -> RunSummary:
    """A ``RunSummary`` from parsed JSON; ``SummaryError`` says what is missing or wrong."""
    if not isinstance(data, dict):
        raise SummaryError("the file holds JSON, but not an object: it is not a run summary")
    schema = data.get("schema")
    if schema != SCHEMA:
        raise SummaryError(
            f"the file's schema is {schema!r}, not {SCHEMA!r}: it was not written by this "
            "version of foundry-conformance (re-run the suite to get a fresh summary.json)"
        )
    try:
        checks = [
            CheckResult(**{**c, "evidence": _evidence_list(c.get("evidence"))})
            for c in data["checks"]
        ]
        diagnoses = [
            DiagnosisEntry(**{**d, "evidence": _evidence_list(d.get("evidence"))})
            for d in data["diagnoses"]
        ]
        summary = RunSummary(
            verdict=data["verdict"],
            target=Target(**data["target"]),
            started_at=data["started_at"],
            finished_at=data["finished_at"],
            duration_s=float(data["duration_s"]),
            counts=dict(data["counts"]),
            checks=checks,
            diagnoses=diagnoses,
            usage=UsageTotals(**data["usage"]),
            secret_scan=SecretScan(**data.get("secret_scan", {})),
            harness=dict(data.get("harness", {})),
            notes=list(data.get("notes", [])),
            incomplete=bool(data.get("incomplete", False)),
            latency=dict(data.get("latency", {})),
            token_claims=dict(data.get("token_claims", {})),
        )
    except KeyError as exc:
        raise SummaryError(f"the summary lacks the field {exc.args[0]!r}; {_UNEDITED}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        # A value of the wrong JSON type meets a constructor: "abc" as a number, 5 as a mapping.
        raise SummaryError(f"the summary has a malformed entry ({exc}); {_UNEDITED}") from None
    if summary.verdict not in VERDICTS:
        raise SummaryError(f"the summary's verdict {summary.verdict!r} is not one of {VERDICTS}")
    return summary


def load_summary(path: Path) -> RunSummary:
    """Read and validate ``path``; ``SummaryError`` with the reason and the fix otherwise."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise SummaryError(
            f"{path} does not exist; a run writes summary.json into its --report-dir "
            "(default reports/)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SummaryError(f"{path} cannot be read: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SummaryError(
            f"{path} is not JSON ({exc.msg}, line {exc.lineno}); is it truncated? "
            "Give the summary.json a run wrote"
        ) from None
    return summary_from_dict(data)

"""The diagnosis engine: from what the run saw to causes and remedies, without any I/O.

Pure by design (stdlib and ``conformance.{interactions,jwt_claims,constants}`` only), so that a
report can be re-diagnosed offline and every rule is testable with a literal body.
"""

from __future__ import annotations

from ..judge.errors import ErrorSignature, Layer, classify_error_body
from .catalog import ALL_CODES, CATALOG, is_known, lookup
from .context import DiagnosisContext
from .engine import DeclaredFinding, Finding, all_refused, diagnose, explain_interaction
from .info import SEVERITY_ORDER, DiagnosisCode, DiagnosisInfo, Severity
from .precedence import PRECEDENCE, Precedence, prevailing
from .rules import stream_error_code
from .transport import classify_transport_error

__all__ = [
    "ALL_CODES",
    "CATALOG",
    "PRECEDENCE",
    "SEVERITY_ORDER",
    "DeclaredFinding",
    "DiagnosisCode",
    "DiagnosisContext",
    "DiagnosisInfo",
    "ErrorSignature",
    "Finding",
    "Layer",
    "Precedence",
    "Severity",
    "all_refused",
    "classify_error_body",
    "classify_transport_error",
    "diagnose",
    "explain_interaction",
    "is_known",
    "lookup",
    "prevailing",
    "stream_error_code",
]

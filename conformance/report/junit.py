"""JUnit failures that say what to do, rewritten from the run's summary (pure: XML in, XML out).

pytest's junitxml writes each failed case's ``<failure message="…">`` (or ``<error>``) from the
raised exception, as the case reports; the diagnoses are made only once the run is over, from
every case. So a CI test tab would show what failed and not what to do. Once the summary exists,
and before the artifacts are scanned for secrets, the plugin hands the file to ``annotate_junit``:
a check case's message then leads with its diagnosis codes and remedies, and its text keeps the
detail and adds the diagnoses and the case's request IDs. Cases are found by the name the JUnit
extras give them (``AUTH-BAD-KEY[api-key]``); everything else in the file is left as it was.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping

from ..summary.model import CheckResult, DiagnosisEntry, RunSummary
from .transcript import case_label, request_id_line

XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
# A check's declared failure is data, not a crash: its class path says nothing to a CI reader.
CHECK_FAILURE_PREFIX = "conformance.core.errors.CheckFailure: "
FAILED_ELEMENTS = ("failure", "error")


def junit_label(check: CheckResult) -> str:
    """The testcase name of a check case: its ID, with the case's parameters (from its node ID)."""
    name = check.case.rsplit("::", 1)[-1]
    param = name[name.index("[") + 1 : -1] if name.endswith("]") and "[" in name else None
    return case_label(check.id, param)


def failure_message(check: CheckResult, entries: Mapping[str, DiagnosisEntry], raw: str) -> str:
    """``api-key-header-rejected: Send the key in x-api-key … — <the raw failure>``."""
    raw = raw.removeprefix(CHECK_FAILURE_PREFIX)
    remedies = [
        f"{code}: {entries[code].remedy}" if code in entries else code for code in check.diagnoses
    ]
    return f"{'; '.join(remedies)} — {raw}" if remedies else raw


def failure_text(check: CheckResult, entries: Mapping[str, DiagnosisEntry], text: str) -> str:
    """The failure's detail as pytest wrote it, then the diagnoses and the request IDs."""
    lines = [text.rstrip()] if text.strip() else []
    known = [entries[code] for code in check.diagnoses if code in entries]
    if known:
        lines += ["", "diagnoses:"]
        for entry in known:
            lines += [f"  {entry.code} ({entry.severity}): {entry.title}", f"    {entry.remedy}"]
    if check.evidence:
        lines += ["", f"requests of this case ({len(check.evidence)}):"]
        lines += [f"  {request_id_line(e, e.client_request_id)}" for e in check.evidence]
    return "\n".join(lines) + "\n"


def annotate_junit(xml_text: str, summary: RunSummary) -> str:
    """``xml_text`` (a junitxml report) with each failed check case's message and text stating
    its diagnoses and remedies; unchanged when it is not readable XML."""
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError:
        return xml_text
    checks = {junit_label(check): check for check in summary.checks}
    entries = {entry.code: entry for entry in summary.diagnoses}
    for case in root.iter("testcase"):
        check = checks.get(case.get("name", ""))
        if check is None:
            continue
        for element in case:
            if element.tag in FAILED_ELEMENTS:
                raw = element.get("message", "")
                element.set("message", failure_message(check, entries, raw))
                element.text = failure_text(check, entries, element.text or "")
    return XML_DECLARATION + ET.tostring(root, encoding="unicode")

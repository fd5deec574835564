"""Every "Guide:" and "Source:" link the report and the ticket can show is labelled by its target.

The summary here holds every diagnosis of the catalog, as a run writes it (``guide_section`` and
``doc_url`` from the entry); each link rendered is read back and its label checked against what
its address is: the platform guide (labelled with the entry's own heading), or a page whose label
``link_label`` derives from the address.
"""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

from conformance.core.links import (
    GUIDE_TITLE,
    PLATFORM_GUIDE,
    SDK_API_KEY_ISSUE,
    guide_label,
    in_guide,
    link_label,
)
from conformance.diagnosis.catalog import CATALOG
from conformance.report import render_html, render_ticket
from conformance.summary.model import DiagnosisEntry, RunSummary

from .factory import summary


def _every_diagnosis() -> RunSummary:
    entries = [
        DiagnosisEntry(
            code=info.code,
            title=info.title,
            severity=info.severity,
            summary=info.cause,
            remedy=info.remedy,
            guide_section=info.guide_section or "",
            doc_url=info.doc_url or "",
        )
        for info in CATALOG.values()
    ]
    return summary(diagnoses=entries, verdict="nonconformant")


class _DiagnosisLinks(HTMLParser):
    """``(code, kind, href, text)`` of every link in a diagnosis's "Guide:"/"Source:" lines."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str, str]] = []
        self._code = ""
        self._kind: str | None = None
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "article" and (attributes.get("id") or "").startswith("diag-"):
            self._code = (attributes["id"] or "").removeprefix("diag-")
        if tag == "p" and attributes.get("class") == "doc-link":
            self._kind = ""
        if tag == "a" and self._kind is not None:
            self._href, self._text = attributes.get("href") or "", ""

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data
        elif self._kind == "":
            self._kind = data.strip().rstrip(":")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None and self._kind:
            self.found.append((self._code, self._kind, self._href, self._text))
            self._href = None
        if tag == "p":
            self._kind = None


def _expected(code: str, kind: str, href: str) -> str:
    """The label a link to ``href`` must carry: the entry's guide heading, or the page's name."""
    info = CATALOG[code]
    if kind == "Guide":
        assert in_guide(href)
        return guide_label(info.guide_section)
    assert kind == "Source" and not in_guide(href)
    return link_label(href)


def test_every_report_link_is_labelled_by_its_target() -> None:
    parser = _DiagnosisLinks()
    parser.feed(render_html(_every_diagnosis()))
    cited = {code for code, *_ in parser.found}
    assert cited == set(CATALOG) - {"check-error"}
    for code, kind, href, text in parser.found:
        assert text == _expected(code, kind, href), (code, kind, href)
        doc_url = CATALOG[code].doc_url
        assert href == doc_url if kind == "Source" else href in (PLATFORM_GUIDE, doc_url)


def test_every_ticket_link_is_labelled_by_its_target() -> None:
    ticket = render_ticket(_every_diagnosis())
    found = 0
    for block in ticket.split("\n### ")[1:]:
        code = re.search(r"\(`([a-z-]+)`, [a-z]+\)", block.splitlines()[0])
        assert code is not None
        for kind, label, href in re.findall(r"^(Guide|Source): (.+) — <(\S+)>$", block, re.M):
            assert label == _expected(code[1], kind, href), (code[1], kind, href)
            found += 1
    assert found >= len(CATALOG) - 1


def test_the_api_key_header_finding_names_the_guide_and_the_sdk_issue_apart() -> None:
    only = _every_diagnosis()
    only.diagnoses = [d for d in only.diagnoses if d.code == "api-key-header-rejected"]
    ticket = render_ticket(only)
    assert (
        f"Guide: {GUIDE_TITLE} › Authentication › API key authentication — <{PLATFORM_GUIDE}>"
        in ticket
    )
    assert f"Source: anthropic-sdk-python issue #1661 — <{SDK_API_KEY_ISSUE}>" in ticket
    page = render_html(only)
    assert (
        f'Guide: <a href="{PLATFORM_GUIDE}" rel="noreferrer">{GUIDE_TITLE} › Authentication › '
        "API key authentication</a>" in page
    )
    assert (
        f'Source: <a href="{SDK_API_KEY_ISSUE}" rel="noreferrer">anthropic-sdk-python issue '
        "#1661</a>" in page
    )


def test_a_source_that_is_no_web_page_is_not_linked() -> None:
    run = _every_diagnosis()
    run.diagnoses = [replace(run.diagnoses[0], doc_url="javascript:alert(1)")]
    assert "javascript:" not in render_html(run) and "javascript:" not in render_ticket(run)

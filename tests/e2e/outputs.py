"""Read back the figures each output of a run shows, from the files and the terminal alone.

The terminal's verdict block, ``diagnosis.html`` (through the stdlib's ``html.parser``),
``junit.xml``, ``support-ticket.md``: each reader returns what that output says, so that a test
can hold them side by side with ``summary.json``. None of them imports the harness.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

VOID = {"br", "wbr", "meta", "col", "img", "hr", "input", "link"}


@dataclass
class Node:
    """An element of the page, with its children and text."""

    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def elements(self) -> list[Node]:
        """Every element below this one, in document order."""
        found: list[Node] = []
        for child in self.children:
            if isinstance(child, Node):
                found += [child, *child.elements()]
        return found

    def find_all(self, tag: str, cls: str | None = None) -> list[Node]:
        return [n for n in self.elements() if n.tag == tag and (cls is None or cls in n.classes)]

    def find(self, tag: str, cls: str | None = None) -> Node:
        (node, *_) = self.find_all(tag, cls)
        return node


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while len(self.stack) > 1:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(page: str) -> Node:
    builder = _Builder()
    builder.feed(page)
    builder.close()
    return builder.root


def _after(root: Node, heading_id: str, tag: str, cls: str | None = None) -> Node:
    """The first ``tag`` after the ``<h2 id=heading_id>``, in document order."""
    elements = root.elements()
    start = next(
        i for i, n in enumerate(elements) if n.tag == "h2" and n.attrs.get("id") == heading_id
    )
    return next(n for n in elements[start:] if n.tag == tag and (cls is None or cls in n.classes))


def _cells(row: Node) -> dict[str, str]:
    """A row's cells by their ``data-label`` (the column names), as text."""
    return {td.attrs.get("data-label", ""): td.text().strip() for td in row.find_all("td")}


def _rows(table: Node) -> list[Node]:
    return table.find("tbody").find_all("tr")


@dataclass
class HtmlFigures:
    """What ``diagnosis.html`` shows."""

    counts: dict[str, int]
    toc: dict[str, int]
    diagnoses: list[str]
    correlation: list[tuple[int, str]]  # (seq, sender)
    totals: tuple[int, int, int]
    usage_by_check: dict[str, tuple[int, int, int]]
    checks: list[tuple[str, str, int]]  # (label, status, requests)
    deployments: dict[str, dict[str, str]]
    target: dict[str, str]
    skipped_sentence: int | None
    ticket: str


def html_figures(page: str) -> HtmlFigures:
    root = parse_html(page)
    counts = {
        next(c for c in li.classes if c.startswith("is-") and c != "is-zero")[3:]: int(
            li.find("strong").text()
        )
        for li in root.find("ul", "counts").find_all("li")
    }
    toc = {
        m.group(1): int(m.group(2))
        for a in root.find("nav", "toc").find_all("a")
        if (m := re.fullmatch(r"(.+) \((\d+)\)", a.text().strip()))
    }
    correlation = [
        (int(cells["#"]), cells["Check"])
        for cells in map(_cells, _rows(_after(root, "correlation", "table", "evidence")))
    ]
    usage = _after(root, "usage", "p").text()
    m = re.fullmatch(r"(\d+) requests, (\d+) input and (\d+) output tokens in all\.", usage)
    assert m, usage
    by_check: dict[str, tuple[int, int, int]] = {}
    details = [d for d in root.find_all("details") if "Usage by check" in d.text()]
    for details_node in details:
        for cells in map(_cells, _rows(details_node.find("table"))):
            by_check[cells["Check"]] = (
                int(cells["Requests"]),
                int(cells["Input tokens"]),
                int(cells["Output tokens"]),
            )
    checks = []
    for table in root.find_all("table", "checks"):
        for row in _rows(table):
            status = next(c[3:] for c in row.classes if c.startswith("is-"))
            label = row.find("td", "c-check").find("code").text()
            checks.append((label, status, int(row.find("td", "c-n").text())))
    deployments = {
        cells["Deployment"]: cells
        for table in root.find_all("table", "deployments")
        for cells in map(_cells, _rows(table))
    }
    facts = root.find("section", "target").find("dl", "facts")
    terms = [n.text().strip() for n in facts.find_all("dt")]
    values = [n.text().strip() for n in facts.find_all("dd")]
    sentence = re.search(r"(\d+) checks? skipped, each with the reason", root.text())
    return HtmlFigures(
        counts=counts,
        toc=toc,
        diagnoses=[a.attrs["id"].removeprefix("diag-") for a in root.find_all("article", "diag")],
        correlation=correlation,
        totals=(int(m.group(1)), int(m.group(2)), int(m.group(3))),
        usage_by_check=by_check,
        checks=checks,
        deployments=deployments,
        target=dict(zip(terms, values, strict=True)),
        skipped_sentence=int(sentence.group(1)) if sentence else None,
        ticket=root.find("pre", "ticket").text(),
    )


@dataclass
class TerminalFigures:
    """What the verdict block printed at the end of ``run`` says."""

    verdict: str
    counts: dict[str, int]
    totals: tuple[int, int, int]
    diagnoses: list[str]
    target: str


def terminal_figures(output: str) -> TerminalFigures:
    verdict = re.search(r"^[✔✘?] foundry-conformance: (\w+)", output, re.MULTILINE)
    checks = re.search(
        r"^  checks: (\d+) passed, (\d+) failed, (\d+) errors, (\d+) skipped$", output, re.M
    )
    usage = re.search(
        r"^  usage: (\d+) requests, (\d+) input \+ (\d+) output tokens$", output, re.M
    )
    target = re.search(r"^  target: (.+)$", output, re.M)
    assert verdict and checks and usage and target, output[-3000:]
    passed, failed, errors, skipped = map(int, checks.groups())
    return TerminalFigures(
        verdict=verdict.group(1).lower(),
        counts={"passed": passed, "failed": failed, "errors": errors, "skipped": skipped},
        totals=(int(usage.group(1)), int(usage.group(2)), int(usage.group(3))),
        diagnoses=re.findall(r"^  \[\w+\] ([\w-]+): ", output, re.M),
        target=target.group(1),
    )


@dataclass
class JunitFigures:
    """What ``junit.xml`` says: the suite's totals, each case's outcome, its requests."""

    totals: dict[str, int]
    cases: dict[str, str]  # name → passed / failed / error / skipped
    requests: dict[str, int]  # name → "requests of this case (N)"
    properties: dict[str, dict[str, str]]


def junit_figures(text: str) -> JunitFigures:
    root = ET.fromstring(text)
    (suite,) = root.iter("testsuite")
    cases: dict[str, str] = {}
    requests: dict[str, int] = {}
    properties: dict[str, dict[str, str]] = {}
    for case in root.iter("testcase"):
        name = case.get("name") or ""
        tags = {child.tag for child in case}
        status = "passed"
        for tag, word in (("skipped", "skipped"), ("failure", "failed"), ("error", "error")):
            if tag in tags:
                status = word
        cases[name] = status
        out = case.findtext("system-out") or ""
        m = re.search(r"^requests of this case \((\d+)\):", out, re.M)
        requests[name] = int(m.group(1)) if m else 0
        properties[name] = {p.get("name", ""): p.get("value", "") for p in case.iter("property")}
    totals = {k: int(suite.get(k) or 0) for k in ("tests", "failures", "errors", "skipped")}
    return JunitFigures(totals, cases, requests, properties)


@dataclass
class TicketFigures:
    """What ``support-ticket.md`` says."""

    judged: int  # checks that failed or could not judge (0 when nothing failed)
    diagnoses: list[str]
    correlation: list[tuple[int, str]]  # the "Correlation IDs of this run" table, when shown
    more: int  # the rows that table leaves to summary.json ("…and N more")
    text: str


def ticket_figures(text: str) -> TicketFigures:
    judged = re.search(r"^(\d+) checks? failed or could not judge;", text, re.M)
    correlation: list[tuple[int, str]] = []
    more = 0
    if "## Correlation IDs of this run" in text:
        section = text.split("## Correlation IDs of this run", 1)[1].split("\n---", 1)[0]
        correlation = [
            (int(m.group(1)), m.group(2))
            for m in re.finditer(r"^\| (\d+) \| ([^|]+?) \| ", section, re.M)
        ]
        cut = re.search(r"^…and (\d+) more \(all of them are in summary\.json\)", section, re.M)
        more = int(cut.group(1)) if cut else 0
    return TicketFigures(
        judged=int(judged.group(1)) if judged else 0,
        diagnoses=re.findall(r"^### \d+\. .+ \(`([\w-]+)`, \w+\)$", text, re.M),
        correlation=correlation,
        more=more,
        text=text,
    )


def summary_cases(summary: dict[str, Any]) -> dict[str, str]:
    """Case label (``AUTH-BAD-KEY[api-key]``, as JUnit names it) → status, from summary.json."""
    out: dict[str, str] = {}
    for check in summary["checks"]:
        params = "-".join(check["params"].values())
        out[check["id"] + (f"[{params}]" if params else "")] = check["status"]
    return out


def tally(statuses: list[str]) -> dict[str, int]:
    """``{passed, failed, errors, skipped}`` from a list of case statuses, as SPEC spells them."""
    counter = Counter(statuses)
    return {
        "passed": counter["passed"],
        "failed": counter["failed"],
        "errors": counter["error"],
        "skipped": counter["skipped"],
    }

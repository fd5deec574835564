"""diagnosis.html from summaries: the content in the right order, escaped, and self-contained."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

import pytest

from conformance.report import render_html, render_ticket
from conformance.report.html import inline_code
from conformance.summary.model import CutShort, RunSummary

from .factory import check, diagnosis, evidence, failing_summary, summary


class _Page(HTMLParser):
    """The parts of a page the tests look at: tags with attributes, text, styles, scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self.scripts: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in ("style", "script", "pre") else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.styles.append(data)
        elif self._in == "script":
            self.scripts.append(data)
        else:
            self.text.append(data)


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def assert_self_contained(page: str) -> None:
    """Nothing on the page is fetched: no external stylesheet, script, image, frame, font."""
    parsed = parse(page)
    for tag, attrs in parsed.tags:
        assert tag not in ("iframe", "object", "embed", "base"), tag
        assert not (tag == "script" and attrs.get("src")), attrs
        assert not (tag == "link" and "stylesheet" in (attrs.get("rel") or "")), attrs
        for name in ("src", "srcset", "poster", "data"):
            value = attrs.get(name) or ""
            assert not value or value.startswith("data:"), (tag, name, value)
    css = "\n".join(parsed.styles)
    assert "url(" not in css and "@import" not in css and "@font-face" not in css


def test_the_verdict_comes_first_then_target_diagnoses_checks_ids_usage_ticket() -> None:
    page = render_html(failing_summary())
    marks = [
        'id="verdict"',
        'id="target"',
        'id="diagnoses"',
        'id="checks"',
        'id="correlation"',
        'id="usage"',
        'id="ticket"',
    ]
    positions = [page.index(mark) for mark in marks]
    assert positions == sorted(positions)
    assert (
        '<h1 class="verdict__word" id="verdict-word" data-verdict="nonconformant">Non-conformant</h1>'
        in page
    )


def test_every_diagnosis_with_its_remedy_guide_and_request_ids() -> None:
    page = render_html(failing_summary())
    for code in ("api-key-header-rejected", "missing-request-id", "rate-limited"):
        assert f'id="diag-{code}"' in page
    assert (
        "<strong>Remedy.</strong> What to do about api-key-header-rejected: send <code>x-api-key</code>."
        in page
    )
    assert (
        'href="https://platform.claude.com/docs/en/build-with-claude/claude-in-microsoft-foundry"'
        in page
    )
    assert "00000000-0000-4000-8000-000000000005" in page  # the refused request's apim-request-id
    assert "Access denied due to invalid subscription key" in page


def test_every_check_is_listed_with_skips_and_their_reasons() -> None:
    page = render_html(failing_summary())
    for label in ("EP-REACH", "AUTH-API-KEY", "AUTH-ENTRA", "DEP-SERVES[claude-opus-4-5]"):
        assert f"<code>{label}</code>" in page
    assert (
        "<strong>Skipped:</strong> no Entra ID token: set FOUNDRY_CONFORMANCE_ENTRA_TOKEN" in page
    )


def test_latency_and_usage_per_deployment() -> None:
    page = render_html(failing_summary())
    assert "410.2 ms" in page and "301.5 ms" in page
    assert "3 requests, 40 input and 5 output tokens in all." in page


def test_the_ticket_block_is_the_ticket_with_a_button_that_needs_script() -> None:
    run = failing_summary()
    page = render_html(run)
    parsed = parse(page)
    assert render_ticket(run).strip() in "".join(parsed.text)
    assert '<button type="button" class="copy" id="copy-ticket" hidden>' in page
    assert any("navigator.clipboard" in s for s in parsed.scripts)


def test_the_title_names_the_verdict_and_the_resource() -> None:
    page = render_html(failing_summary())
    assert "<title>Non-conformant · contoso-ai — foundry-conformance diagnosis</title>" in page


def test_emulator_banner_is_loud() -> None:
    page = render_html(summary(kind="emulator"))
    assert "target--loud" in page
    assert "Emulator run: this proves nothing about Azure" in page


def test_a_conformant_run_has_no_diagnosis_to_show() -> None:
    page = render_html(summary())
    assert 'data-verdict="conformant">Conformant</h1>' in page
    assert "No diagnosis: nothing in this run needs a remedy." in page


def test_secret_scan_and_notes_and_incomplete_runs_are_shown() -> None:
    page = render_html(summary(notes=["the run stopped early: budget"], incomplete=True))
    assert (
        "Every one of the 4 artifact files of this run was scanned before it was published: none "
        "holds a secret in use." in page
    )
    assert "the run stopped early: budget" in page
    assert "Incomplete run" in page


def test_an_incomplete_run_says_what_cut_it_short_with_the_remedy_and_each_detail() -> None:
    why = CutShort(
        "unrecorded",
        "2 requests of this replay are not in the recording (nothing was sent), so 2 checks "
        "could not be judged.",
        ["RULE-EFFORT[low]", "RULE-EFFORT[max]"],
        ["This replay asks for --suite full (recorded: standard).", "RULE-EFFORT: no such file"],
        "Replay with the options the recording used.",
    )
    page = render_html(summary(verdict="incomplete", incomplete=True, cut_short=[why]))
    assert 'data-verdict="incomplete">Incomplete</h1>' in page
    assert '<section class="card cut-short" id="cut-short-unrecorded"' in page
    assert "<h3>Cut short: the recording could not answer</h3>" in page
    assert "<strong>Remedy.</strong> Replay with the options the recording used." in page
    assert "<li>This replay asks for --suite full (recorded: standard).</li>" in page
    assert "<summary>Not judged: 2 check cases</summary>\n  <p>RULE-EFFORT (2 cases)</p>" in page


def test_text_from_the_wire_is_escaped() -> None:
    hostile = '<script>alert("x")</script><img src="http://evil.example/x.png">'
    row = evidence(1, 502, check="EP-REACH", error_body=hostile)
    run = summary(
        [check("EP-REACH", "failed", evidence=[row], reason=hostile)],
        [diagnosis("server-error", evidence=[row], details=[hostile])],
        verdict="nonconformant",
    )
    page = render_html(run)
    assert hostile not in page
    assert "&lt;script&gt;alert(" in page
    assert_self_contained(page)


@pytest.mark.parametrize("factory", [failing_summary, summary])
def test_the_page_loads_nothing(factory: Callable[[], RunSummary]) -> None:
    page = render_html(factory())
    assert_self_contained(page)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_the_page_reads_on_a_phone_and_prints() -> None:
    page = render_html(summary())
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@media (max-width: 640px)" in page and "@media print" in page
    assert "overflow-x: auto" in page


class _CardTables(HTMLParser):
    """Each ``table.cards``: its column headers, and the ``data-label`` of each body row's cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[str], list[list[str | None]]]] = []
        self._inside = False  # a table.cards
        self._header: list[str] | None = None  # the text of the <th> being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self._inside = "cards" in (found.get("class") or "").split()
            if self._inside:
                self.tables.append(([], []))
        elif not self._inside:
            return
        elif tag == "th":
            self._header = []
        elif tag == "tbody":
            self.tables[-1][1].clear()
        elif tag == "tr":
            self.tables[-1][1].append([])
        elif tag == "td":
            self.tables[-1][1][-1].append(found.get("data-label"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._inside = False
        elif tag == "th" and self._header is not None:
            self.tables[-1][0].append("".join(self._header).strip())
            self._header = None

    def handle_data(self, data: str) -> None:
        if self._header is not None:
            self._header.append(data)


@pytest.mark.parametrize("factory", [failing_summary, summary])
def test_every_field_of_a_card_names_its_column(factory: Callable[[], RunSummary]) -> None:
    """Below the breakpoint a row is a card, whose fields show their column's name (data-label)."""
    parser = _CardTables()
    parser.feed(render_html(factory()))
    assert len(parser.tables) >= 3
    for headers, rows in parser.tables:
        assert rows
        for labels in rows:
            assert labels == headers


def test_a_path_may_break_only_before_its_slashes() -> None:
    page = render_html(failing_summary())
    assert '<span class="mono">POST /anthropic<wbr>/v1<wbr>/messages</span>' in page


def test_inline_code_escapes_before_it_marks_up() -> None:
    assert (
        str(inline_code("send `x-api-key` not <b>")) == "send <code>x-api-key</code> not &lt;b&gt;"
    )
    assert str(inline_code("an `odd tick")) == "an `odd tick"
    assert str(inline_code("`<i>`")) == "<code>&lt;i&gt;</code>"

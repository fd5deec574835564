"""diagnosis.html as a user sees it: headless Chromium loads it, with every host name unresolvable.

The page of a real fault-profile run must show the verdict, each failing check's diagnosis codes
and request IDs after the browser has run it, and ask the network for nothing (Chromium's own
network log is read, and a leaky page proves the reading works).

And it must work on every screen. A conformant run's page, a wrong-key run's page (the one a
user opens after the most common mistake) and a capability matrix with every kind of cell (three
deployments, 75 cells) are laid out at 390 px (a phone), 768 px (a tablet) and 1280 px (a
desktop), and measured in the browser: nothing wider than the viewport and nothing that
scrolls sideways; every text field at least 120 px wide, every fixed-width value (an ID, a time, a
number) whole in its box; no word broken between two letters; and pages that do not grow much
taller as the screen narrows. The screenshots land in the session's temporary directory (printed
with ``-rP``); the layout is the same on every screen from 1200 px up, where the page stops growing.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from .conftest import WRONG_KEY, FaultRun, run_cli

pytestmark = pytest.mark.skipif(
    not any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")),
    reason="chromium is not installed (CI installs it: apt-get install -y chromium)",
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    data = path.read_bytes()[:24]
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_rendered_page_shows_verdict_diagnoses_and_request_ids(
    fault_run: FaultRun, render_report_script: ModuleType
) -> None:
    dom = render_report_script.dump_dom(fault_run.report_dir / "diagnosis.html")
    assert 'data-verdict="nonconformant">Non-conformant</h1>' in dom
    failing = fault_run.failing_checks()
    assert failing
    for check in failing:
        for code in check["diagnoses"]:
            assert f'id="diag-{code}"' in dom, (check["id"], code)
        for evidence in check["evidence"]:
            for key in ("request_id", "apim_request_id"):
                if evidence[key]:
                    assert evidence[key] in dom, (check["id"], key)
    # The copy button is shown only once its script has run.
    assert '<button type="button" class="copy" id="copy-ticket">' in dom


def test_the_page_asks_the_network_for_nothing(
    fault_run: FaultRun, render_report_script: ModuleType, tmp_path: Path
) -> None:
    net_log = tmp_path / "net-log.json"
    render_report_script.dump_dom(fault_run.report_dir / "diagnosis.html", net_log)
    assert render_report_script.page_requests(net_log) == []


def test_the_network_check_catches_a_page_that_fetches(
    render_report_script: ModuleType, tmp_path: Path
) -> None:
    leaky = tmp_path / "leaky.html"
    leaky.write_text(
        '<!doctype html><link rel="stylesheet" href="https://fonts.example.com/f.css">'
        '<img src="http://cdn.example.com/logo.png"><p>hi</p>',
        "utf-8",
    )
    net_log = tmp_path / "net-log.json"
    render_report_script.dump_dom(leaky, net_log)
    assert set(render_report_script.page_requests(net_log)) == {
        "https://fonts.example.com/f.css",
        "http://cdn.example.com/logo.png",
    }


def test_the_script_photographs_the_page_on_a_phone_a_tablet_and_a_desktop(
    fault_run: FaultRun,
    render_report_script: ModuleType,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = tmp_path / "summary.json"
    shutil.copy(fault_run.report_dir / "summary.json", summary)
    assert render_report_script.main([str(summary), "--height", "900"]) == 0
    for width in WIDTHS:
        assert png_size(tmp_path / f"diagnosis-{width}.png") == (width, 900)
    assert (tmp_path / "diagnosis.html").read_text("utf-8") == (
        fault_run.report_dir / "diagnosis.html"
    ).read_text("utf-8")
    out = capsys.readouterr().out
    assert " 390 px: the page is " in out and "widest element 390 px" in out


# -- every screen ------------------------------------------------------------------------------

WIDTHS = (390, 768, 1280)
DESKTOP = 1280
READABLE_PX = 120
# A word this long may break on a phone (an environment variable's name is ~40 characters, a line
# there ~45); a shorter one never does, and at desktop width no word does.
LONG_WORD = 24
# How much taller the page may grow than at 1280 px. At 768 px the bound. At 390 px the
# reading column is 366 px against 1160 at desktop width: prose alone needs up to 3.2 times the
# lines there, so three times the desktop height means the cards cost no more than the narrower
# column does (before the cards, the wrong-key page grew twelvefold).
TALLER_AT = {768: 2.0, 390: 3.0}
SECTIONS = ("diagnoses", "capabilities", "checks", "correlation")

Layouts = dict[str, dict[int, dict[str, Any]]]


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the layout tests leave their screenshots."""
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def laid_out(
    conformant_run: FaultRun,
    wrong_key_run: FaultRun,
    matrix_run: FaultRun,
    render_report_script: ModuleType,
    screenshots: Path,
) -> Layouts:
    """The reports measured at each width, and photographed (first screen and each section)."""
    found = {}
    runs = (("conformant", conformant_run), ("wrong-key", wrong_key_run), ("matrix", matrix_run))
    for name, run in runs:
        page = screenshots / f"{name}.html"
        shutil.copy(run.report_dir / "diagnosis.html", page)
        found[name] = render_report_script.layouts(
            page, WIDTHS, shots=screenshots, sections=SECTIONS
        )
    print(f"screenshots: {screenshots}")
    return found


def _shown(items: list[dict[str, Any]], limit: int = 8) -> str:
    return "\n".join(str(item) for item in items[:limit]) + (
        f"\n… and {len(items) - limit} more" if len(items) > limit else ""
    )


REPORTS = ("conformant", "wrong-key", "matrix")
every_screen = pytest.mark.parametrize(
    ("report", "width"), [(r, w) for r in REPORTS for w in WIDTHS], ids=lambda v: str(v)
)


@every_screen
def test_nothing_is_wider_than_the_viewport(laid_out: Layouts, report: str, width: int) -> None:
    layout = laid_out[report][width]
    assert layout["viewport"] == width
    assert layout["scrollWidth"] <= width, layout["widest"]
    assert layout["widest"]["right"] <= width, layout["widest"]
    assert not layout["beyond"], _shown(layout["beyond"])
    # An error body may scroll inside its own box; nothing else scrolls sideways.
    sideways = [box for box in layout["scrolling"] if box["tag"] != "pre"]
    assert not sideways, _shown(sideways)


@every_screen
def test_every_field_is_readable(laid_out: Layouts, report: str, width: int) -> None:
    fields = laid_out[report][width]["fields"]
    assert len(fields) > 100
    squeezed = [f for f in fields if not f["fit"] and f["width"] < READABLE_PX]
    assert not squeezed, _shown(squeezed)
    spilled = [f for f in fields if f["overflows"]]
    assert not spilled, _shown(spilled)


@every_screen
def test_no_word_is_broken_between_two_letters(laid_out: Layouts, report: str, width: int) -> None:
    breaks = laid_out[report][width]["breaks"]
    if width != DESKTOP:
        breaks = [b for b in breaks if len(b["word"]) <= LONG_WORD]
    assert not breaks, _shown(breaks)


@every_screen
def test_tables_are_cards_below_desktop_width(laid_out: Layouts, report: str, width: int) -> None:
    cells = [f for f in laid_out[report][width]["fields"] if f["card"]]
    assert cells
    as_table = {f["display"] == "table-cell" for f in cells}
    assert as_table == {width == DESKTOP}, _shown(cells)


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("width", sorted(TALLER_AT))
def test_the_page_grows_little_taller_on_a_narrower_screen(
    laid_out: Layouts, report: str, width: int
) -> None:
    """The issue's measure: the wrong-key page was 13.5k px tall at 1280 px and ~160k at 768."""
    heights = {w: laid_out[report][w]["height"] for w in WIDTHS}
    assert heights[width] <= TALLER_AT[width] * heights[DESKTOP], heights


def test_each_screen_is_photographed(laid_out: Layouts, screenshots: Path) -> None:
    for report in REPORTS:
        for width in WIDTHS:
            assert png_size(screenshots / f"{report}-{width}.png") == (width, 900)
            for section in SECTIONS:
                assert png_size(screenshots / f"{report}-{width}-{section}.png") == (width, 900)


def test_the_pages_laid_out_are_a_conformant_and_a_wrong_key_run(
    conformant_run: FaultRun, wrong_key_run: FaultRun
) -> None:
    assert (conformant_run.summary["verdict"], conformant_run.exit_code) == ("conformant", 0)
    assert (wrong_key_run.summary["verdict"], wrong_key_run.exit_code) == ("misconfigured", 1)
    assert wrong_key_run.summary["counts"]["failed"] > 10


def test_the_wrong_key_page_keeps_its_content_and_no_key(wrong_key_run: FaultRun) -> None:
    page = wrong_key_run.text("diagnosis.html")
    assert 'data-verdict="misconfigured">Misconfigured</h1>' in page
    assert 'id="diag-invalid-api-key"' in page
    assert WRONG_KEY not in page


def test_a_printed_page_fits_the_paper(
    wrong_key_run: FaultRun, render_report_script: ModuleType
) -> None:
    """A4 portrait is 718 CSS px between the default margins: the cards print, nothing is cut."""
    with render_report_script.DevTools() as browser:
        tab = browser.tab(718, 1000, media="print")
        tab.load(wrong_key_run.report_dir / "diagnosis.html")
        layout = tab.layout()
    assert layout["scrollWidth"] <= 718, layout["widest"]
    assert not layout["beyond"], _shown(layout["beyond"])


# -- the capability matrix ---------------------------------------------------------------------


def test_the_matrix_run_has_every_kind_of_cell(matrix_run: FaultRun) -> None:
    matrix = matrix_run.summary["capabilities"]
    assert len(matrix) == 3
    seen = {cell["status"] for column in matrix.values() for cell in column["cells"].values()}
    assert seen == {"supported", "refused", "not-honoured"}
    drift = {c["drift"] for column in matrix.values() for c in column["cells"].values()}
    assert "documented-feature-refused" in drift


@pytest.mark.parametrize("width", WIDTHS)
def test_the_matrix_is_a_table_on_a_desktop_and_a_card_per_capability_below(
    laid_out: Layouts, matrix_run: FaultRun, width: int
) -> None:
    deployments = list(matrix_run.summary["capabilities"])
    cells = [f for f in laid_out["matrix"][width]["fields"] if "td.m-cell" in f["element"]]
    assert len(cells) == 25 * len(deployments)
    # Each cell is named by its deployment (the column's header, or the card's label) ...
    assert {f["label"] for f in cells} == set(deployments)
    assert {f["display"] == "table-cell" for f in cells} == {width == DESKTOP}
    # ... and has room for its word, what is documented and, opened, its evidence.
    assert min(f["width"] for f in cells) >= READABLE_PX, _shown(cells)


def test_a_cell_s_evidence_is_one_click_away_in_the_rendered_page(
    matrix_run: FaultRun, render_report_script: ModuleType
) -> None:
    dom = render_report_script.dump_dom(matrix_run.report_dir / "diagnosis.html")
    column = next(iter(matrix_run.summary["capabilities"].values()))
    search = column["cells"]["CAP-WEB-SEARCH"]
    assert search["drift"] == "documented-feature-refused"
    assert '<tr id="cap-CAP-WEB-SEARCH" class="has-finding">' in dom
    assert "off the docs: documented as supported" in dom
    for key in ("request_id", "apim_request_id"):
        assert search["evidence"][0][key] in dom
    assert dom.count('<details class="cap cap--') == 75  # closed until the reader opens one


# -- the fleet index ----------------------------------------------------------------------------

FLEET = """[[target]]
name = "healthy"
emulator = "default"

[[target]]
name = "key-header-rejected"
emulator = "api-key-rejected"
"""


@pytest.fixture(scope="module")
def fleet_layouts(
    tmp_path_factory: pytest.TempPathFactory, render_report_script: ModuleType, screenshots: Path
) -> dict[int, dict[str, Any]]:
    """A fleet of two emulator targets, run through the command line, its index laid out."""
    base = tmp_path_factory.mktemp("fleet")
    (base / "fleet.toml").write_text(FLEET)
    run = run_cli(base, WRONG_KEY, "--fleet", str(base / "fleet.toml"))
    assert run.exit_code == 1  # the worst target's verdict: nonconformant
    page = screenshots / "fleet.html"
    shutil.copy(run.report_dir / "index.html", page)
    return dict(render_report_script.layouts(page, WIDTHS, shots=screenshots))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_fleet_index_fits_every_screen(
    fleet_layouts: dict[int, dict[str, Any]], width: int
) -> None:
    layout = fleet_layouts[width]
    assert layout["scrollWidth"] <= width, layout["widest"]
    # The check and capability matrices keep their grid and may scroll inside their own box
    # (what they hold may lie beyond the screen until scrolled); the verdict per target never
    # does (below 1000 px each target is a card).
    in_a_matrix = ("matrix", "td.cell", "th.col")
    beyond = [b for b in layout["beyond"] if not any(m in b["element"] for m in in_a_matrix)]
    assert not beyond, _shown(beyond)
    sideways = [box for box in layout["scrolling"] if not box["element"].endswith(".matrix-wrap")]
    assert not sideways, _shown(sideways)

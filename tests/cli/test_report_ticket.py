"""``foundry-conformance ticket`` and ``report``: output, defaults, and one-paragraph errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.cli.main import main
from conformance.report import render_html, render_ticket

from ..report.factory import failing_summary


@pytest.fixture
def summary_file(tmp_path: Path) -> Path:
    """A run's summary.json, as a run writes it."""
    return failing_summary().write(tmp_path / "reports" / "summary.json")


def _no_traceback(err: str) -> None:
    assert "Traceback" not in err
    assert err.count("\n") == 1, err  # one paragraph


def test_ticket_prints_the_ticket(summary_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ticket", str(summary_file)]) == 0
    assert capsys.readouterr().out == render_ticket(failing_summary())


def test_ticket_reads_reports_summary_json_by_default(
    summary_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(summary_file.parent.parent)
    assert main(["ticket"]) == 0
    assert capsys.readouterr().out.startswith("# Support ticket: Claude in Microsoft Foundry")


def test_report_reads_reports_summary_json_by_default_as_ticket_does(
    summary_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(summary_file.parent.parent)
    assert main(["report"]) == 0
    page = Path("reports") / "diagnosis.html"
    assert capsys.readouterr().out == f"report: {page}\n"
    assert page.read_text("utf-8") == render_html(failing_summary())


def test_report_rerenders_next_to_the_summary_and_says_where(
    summary_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(summary_file)]) == 0
    page = summary_file.with_name("diagnosis.html")
    assert capsys.readouterr().out == f"report: {page}\n"
    assert page.read_text("utf-8") == render_html(failing_summary())


def test_report_out_writes_where_asked(
    summary_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "elsewhere" / "page.html"
    assert main(["report", str(summary_file), "--out", str(target)]) == 0
    assert target.is_file()
    assert capsys.readouterr().out == f"report: {target}\n"


def _bad(tmp_path: Path, content: str | None) -> Path:
    path = tmp_path / "summary.json"
    if content is not None:
        path.write_text(content, "utf-8")
    return path


@pytest.mark.parametrize("command", ["ticket", "report"])
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist; a run writes summary.json into its --report-dir"),
        ('{"schema": "foundry-conformance.summary/1", "verdict": ', "is not JSON"),
        ("[1, 2]", "is not a run summary"),
        ('{"schema": "something-else/3"}', "it was not written by this version"),
        ('{"schema": "foundry-conformance.summary/1"}', "summary.json: $.verdict is missing"),
    ],
    ids=["missing", "corrupt", "not-an-object", "wrong-schema", "incomplete"],
)
def test_a_bad_summary_is_one_paragraph_on_stderr_and_exit_2(
    command: str,
    content: str | None,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _bad(tmp_path, content)
    assert main([command, str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"foundry-conformance {command}: ")
    assert message in captured.err
    _no_traceback(captured.err)


@pytest.mark.parametrize("command", ["ticket", "report"])
def test_a_summary_with_values_of_the_wrong_type_is_bad_input(
    command: str, summary_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(summary_file.read_text("utf-8"))
    data["checks"][1]["evidence"][0]["status"] = "four hundred and one"
    summary_file.write_text(json.dumps(data), "utf-8")
    assert main([command, str(summary_file)]) == 2
    err = capsys.readouterr().err
    assert f"{summary_file}: $.checks[1].evidence[0].status is the string 'four hundred" in err
    assert "not an integer; give the summary.json a run wrote, unedited" in err
    _no_traceback(err)


@pytest.mark.parametrize("command", ["ticket", "report"])
def test_a_writer_that_fails_on_a_valid_summary_is_one_paragraph_not_a_traceback(
    command: str,
    summary_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken(summary: object) -> str:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(
        f"conformance.report.render_{'html' if command == 'report' else command}", broken
    )
    assert main([command, str(summary_file)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"foundry-conformance {command}: {summary_file} is a valid run summary, but writing it "
        "failed (RecursionError: maximum recursion depth exceeded); please report this to the "
        "foundry-conformance maintainers, with the file\n"
    )


def test_a_directory_given_as_the_summary_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ticket", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "cannot be read" in err
    _no_traceback(err)


def test_report_says_when_it_cannot_write(
    summary_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", "utf-8")
    assert main(["report", str(summary_file), "--out", str(blocker / "page.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("foundry-conformance report: cannot write ")
    assert "--out FILE" in err
    _no_traceback(err)


@pytest.mark.parametrize("command", ["ticket", "report"])
def test_without_a_run_to_read_the_default_says_where_a_run_writes_it(
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"foundry-conformance {command}: reports/summary.json does not exist; a run writes "
        "summary.json into its --report-dir (default reports/)\n"
    )
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("command", ["ticket", "report"])
def test_help_explains_the_command(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert "SUMMARY_JSON" in out and "example:" in out

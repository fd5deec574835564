"""The pytest plugin, driven as users drive it: pytest with --foundry-* options (pytester)."""

from __future__ import annotations

import json
import re

import pytest

from tests.foundry_env import FOUNDRY_VARIABLES

SUITE = "conformance.suite"


@pytest.fixture(autouse=True)
def _no_foundry_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in FOUNDRY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_plugin_is_inert_in_a_session_without_checks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert not (pytester.path / "reports").exists()


def test_options_are_grouped_in_help(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--help")
    result.stdout.fnmatch_lines(
        ["*Claude in Microsoft Foundry conformance*", "*--foundry-base-url*", "*--foundry-select*"]
    )


def test_suite_under_plain_pytest_targets_the_emulator_and_writes_the_summary(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest_inprocess(
        "--pyargs",
        SUITE,
        "--foundry-select",
        "MSG-BASIC",
        "--foundry-select",
        "auth",
        "--foundry-report-dir",
        "out",
        "-p",
        "no:cacheprovider",
    )
    # Selected by area, the opt-in AUTH-RBAC runs too: the emulator mints a role-less token.
    result.assert_outcomes(passed=11)
    result.stdout.fnmatch_lines(
        ["*foundry-conformance: CONFORMANT*", "*proves nothing about Azure*"]
    )
    summary = json.loads((pytester.path / "out" / "summary.json").read_text())
    assert summary["schema"] == "foundry-conformance.summary/1"
    assert {c["id"] for c in summary["checks"]} >= {"MSG-BASIC", "AUTH-X-API-KEY", "AUTH-RBAC"}
    rbac = next(c for c in summary["checks"] if c["id"] == "AUTH-RBAC")
    assert rbac["status"] == "passed"


def test_pytest_k_composes_with_the_suite(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--pyargs",
        SUITE,
        "-k",
        "count_tokens",
        "--foundry-report-dir",
        "out",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(passed=1)


def test_unknown_selection_is_a_usage_error_naming_the_fix(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--pyargs", SUITE, "--foundry-select", "MSG-NOPE")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            # Spelled as the options that work here, not as the command line's flags.
            "*--foundry-select 'MSG-NOPE' names no check of the catalog. Did you mean "
            "--foundry-select MSG-NO-VERSION? Give a check ID (--foundry-select MSG-BASIC)*"
        ]
    )


def test_configuration_conflict_is_a_usage_error_and_nothing_is_sent(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest_inprocess(
        "--pyargs",
        SUITE,
        "--foundry-resource",
        "res",
        "--foundry-base-url",
        "https://res.services.ai.azure.com/anthropic/",
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--foundry-resource*--foundry-base-url*"])
    assert not (pytester.path / "reports").exists()


def test_a_test_marked_with_an_unknown_check_id_is_refused(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.foundry_check("NOT-A-CHECK")
        def test_x():
            pass
        """
    )
    result = pytester.runpytest_inprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'NOT-A-CHECK', not a catalog ID*"])


def test_a_missing_credential_is_a_skip_with_the_reason(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--pyargs",
        SUITE,
        "--foundry-select",
        "AUTH-ENTRA",
        "--foundry-auth",
        "x-api-key",
        "--foundry-report-dir",
        "out",
        "-rs",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*--foundry-auth does not include entra*"])
    summary = json.loads((pytester.path / "out" / "summary.json").read_text())
    # Nothing was judged: never green.
    assert summary["verdict"] == "nonconformant"


def test_a_report_place_taken_by_a_directory_is_a_usage_error_and_no_file_is_left(
    pytester: pytest.Pytester,
) -> None:
    (pytester.path / "page.html").mkdir()
    result = pytester.runpytest_inprocess(
        "--pyargs", SUITE, "--foundry-select", "MSG-BASIC", "--foundry-report-dir", "out",
        "--html", "page.html", "--self-contained-html", "--junitxml", "junit.xml",
        "-p", "no:cacheprovider",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--html *page.html: *page.html is a directory, where the run*"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    # Nothing was sent, so nothing was written: no summary, no JUnit file, no staging file left.
    assert sorted(p.name for p in pytester.path.iterdir()) == ["page.html"]
    assert list((pytester.path / "page.html").iterdir()) == []


def test_pytests_own_reports_are_published_through_the_scan(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--pyargs", SUITE, "--foundry-select", "MSG-BASIC", "--foundry-report-dir", "out",
        "--html", "out/page.html", "--junitxml", "out/junit.xml", "-p", "no:cacheprovider",
    )  # fmt: skip
    result.assert_outcomes(passed=1)
    out = pytester.path / "out"
    assert {"page.html", "junit.xml", "summary.json"} <= {p.name for p in out.iterdir()}
    assert not [p for p in out.iterdir() if p.name.endswith(".staged")]
    scan = json.loads((out / "summary.json").read_text())["secret_scan"]
    # page.html, junit.xml, summary.json, diagnosis.html, support-ticket.md: each scanned.
    assert scan["clean"] is True and scan["files_scanned"] == 5, scan


def test_under_plain_pytest_the_verdict_block_comes_after_pytest_s_summary(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest_inprocess(
        "--pyargs",
        SUITE,
        "--foundry-emulator",
        "api-key-rejected",
        "--foundry-select",
        "AUTH-API-KEY",
        "--foundry-select",
        "AUTH-X-API-KEY",
        "--foundry-report-dir",
        "out",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(passed=1, failed=1)
    lines = [line for line in result.outlines if line.strip()]
    start = lines.index("✘ foundry-conformance: NONCONFORMANT")
    assert re.match(r"=+ 1 failed, 1 passed, \d+ deselected in ", lines[start - 1]), lines[
        start - 1
    ]
    assert lines[start:] == [
        "✘ foundry-conformance: NONCONFORMANT",
        "  At least one check failed or could not judge: see the diagnoses.",
        "  target: the embedded emulator (api-key-rejected) — proves nothing about Azure",
        "  platform profile: 2026.12 of 2026-12-01 (built-in)",
        "  checks: 1 passed, 1 failed, 0 errors, 0 skipped",
        lines[start + 5],  # usage: the run's own requests (inventory, auth) vary with the profile
        "  not passed: AUTH-API-KEY",
        "  [warning] api-key-header-rejected: The key is refused in the api-key header but "
        "accepted in x-api-key",
        lines[start + 8],  # the remedy, with the SDK version the profile names
        "  report: out/diagnosis.html",
    ]
    assert lines[start + 5].startswith("  usage: ") and lines[start + 8].startswith("      → ")


def test_check_ids_and_areas_are_keywords(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--pyargs", SUITE, "-k", "MSG-BASIC or UNS-", "--foundry-report-dir", "out"
    )
    result.assert_outcomes(passed=4)  # MSG-BASIC and the three UNS-* checks
    summary = json.loads((pytester.path / "out" / "summary.json").read_text())
    assert sorted(c["id"] for c in summary["checks"]) == [
        "MSG-BASIC",
        "UNS-ADMIN",
        "UNS-BATCHES",
        "UNS-MODELS",
    ]


def test_a_k_that_selects_no_check_is_a_usage_error_with_no_verdict(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest_inprocess(
        "--pyargs", SUITE, "-k", "MSG-BASICS", "--foundry-report-dir", "out"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: no check is selected: -k 'MSG-BASICS' matched none of the * check cases "
            "collected, so there is nothing to judge. Each check answers to its ID and its area "
            "as a keyword (-k MSG-BASIC, -k AUTH-, -k messages);*"
            "Or choose the checks with --foundry-select ID_OR_AREA."
        ]
    )
    assert not (pytester.path / "out" / "summary.json").exists()
    assert "foundry-conformance:" not in result.stdout.str()  # no verdict of nothing


def test_a_k_that_keeps_only_opt_in_probes_says_how_to_run_them(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--pyargs", SUITE, "-k", "RL-429", "--foundry-report-dir", "out"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: no check is selected: the checks chosen are not part of the standard suite, "
            "so there is nothing to judge. Add --foundry-suite full to run them, or choose checks "
            "with --foundry-select ID_OR_AREA, which runs what it names."
        ]
    )


def test_under_plain_pytest_skip_reasons_name_the_foundry_options(
    pytester: pytest.Pytester,
) -> None:
    result = pytester.runpytest_inprocess(
        "--pyargs", SUITE, "-k", "RL-429 or MSG-BASIC", "--foundry-report-dir", "out", "-rs"
    )
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        ["*opt-in probe, not part of the standard suite: run it with --foundry-suite full*"]
    )
    assert "--suite full" not in result.stdout.str().replace("--foundry-suite full", "")
    summary = json.loads((pytester.path / "out" / "summary.json").read_text())
    (probe,) = [c for c in summary["checks"] if c["id"] == "RL-429"]
    assert "--foundry-suite full (or --foundry-select RL-429)" in probe["reason"]


def test_a_k_and_a_select_that_share_no_check_say_so(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess(
        "--pyargs", SUITE, "-k", "MSG-BASIC", "--foundry-select", "auth",
        "--foundry-report-dir", "out",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: no check is selected: none of the checks -k or -m kept is one that the suite "
            "or --foundry-select chose, so there is nothing to judge.*"
        ]
    )
    assert not (pytester.path / "out" / "summary.json").exists()

"""Fleets end to end: five emulator-backed targets with different faults through the real command
line (each target a process of its own, as a user's fleet runs), the index they make, ``merge`` of
the same targets run apart, ``diff`` of two runs one fault apart, and ``--fail-on regressions``.

The emulators listen on loopback ports of this process; each is generous with quota (the tests
reuse them within a minute), and each target names its own subscription, so no pool is shared.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from conformance.cli.main import main
from conformance.emulator import parse_profiles
from conformance.emulator.server import EmulatorServer
from tests.foundry_env import FOUNDRY_VARIABLES

KEY = "canary-fleet-key-DO-NOT-LEAK-e2e-0000000000000000000"
WRONG_KEY = "0" * 24 + "0badc0de"
DEPLOYMENT = "claude-sonnet-5-5"
CLOSED_PORT_URL = "http://127.0.0.1:9/anthropic/"  # discard: nothing listens on loopback
PROFILES = {
    "healthy": "default",
    "wrong-key": "default",
    "key-header-rejected": "api-key-rejected",
    "slow": "slow=0.2",
}
EXPECTED = {
    "healthy": ("conformant", 0),
    "wrong-key": ("misconfigured", 1),
    "key-header-rejected": ("nonconformant", 1),
    "unreachable": ("unreachable", 3),
    "slow": ("conformant", 0),
}


def fleet_text(urls: dict[str, str], **override: str) -> str:
    """A fleet file of the five targets (``override``: a target's base URL)."""
    tables = []
    for name in EXPECTED:
        url = override.get(name) or urls.get(name, CLOSED_PORT_URL)
        key_env = "FLEET_WRONG_KEY" if name == "wrong-key" else "FLEET_KEY"
        tables.append(
            f'[[target]]\nname = "{name}"\nbase_url = "{url}"\napi_key_env = "{key_env}"\n'
            f'subscription = "sub-{name}"\n'
        )
    return f'[defaults]\ndeployments = ["{DEPLOYMENT}"]\n\n' + "\n".join(tables)


@dataclass
class Fleet:
    """The emulators, the fleet file, and the one fleet run every test here reads."""

    urls: dict[str, str]
    file: Path
    report_dir: Path
    exit_code: int
    output: str
    work: Path

    @property
    def index(self) -> dict[str, Any]:
        return json.loads((self.report_dir / "fleet.json").read_text("utf-8"))


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str] | None = None) -> tuple[int, str]:
    code = main(argv)
    if capsys is None:
        return code, ""
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    work = tmp_path_factory.mktemp("fleet")
    servers = {
        name: EmulatorServer(
            config=replace(parse_profiles(profile), rate_limit=10_000), api_key=KEY
        )
        for name, profile in PROFILES.items()
    }
    with pytest.MonkeyPatch.context() as env:
        for name in FOUNDRY_VARIABLES:
            env.delenv(name, raising=False)
        env.setenv("FLEET_KEY", KEY)
        env.setenv("FLEET_WRONG_KEY", WRONG_KEY)
        env.chdir(work)
        for server in servers.values():
            server.__enter__()
        try:
            urls = {name: server.base_url for name, server in servers.items()}
            file = work / "fleet.toml"
            file.write_text(fleet_text(urls), "utf-8")
            report_dir = work / "reports"
            import contextlib
            import io

            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = main(["run", "--fleet", str(file), "--report-dir", str(report_dir)], out=out)
            yield Fleet(urls, file, report_dir, code, out.getvalue(), work)
        finally:
            for server in servers.values():
                server.__exit__(None, None, None)


def test_each_target_of_a_fleet_gets_its_own_verdict_report_and_the_index(fleet: Fleet) -> None:
    index = fleet.index
    assert index["schema"] == "foundry-conformance.fleet/1"
    got = {t["name"]: (t["verdict"], t["exit_code"]) for t in index["targets"]}
    assert got == EXPECTED, fleet.output
    # The exit status is the worst verdict's: an unreachable endpoint.
    assert fleet.exit_code == index["exit_code"] == 3
    by_name = {t["name"]: t for t in index["targets"]}
    # The fault's own diagnosis, beside those every target of the default profile has (the
    # capabilities its hosting option refuses).
    codes = {name: {d["code"] for d in t["diagnoses"]} for name, t in by_name.items()}
    assert codes["key-header-rejected"] - codes["healthy"] == {"api-key-header-rejected"}
    assert "invalid-api-key" in {d["code"] for d in by_name["wrong-key"]["diagnoses"]}
    assert by_name["key-header-rejected"]["checks"]["AUTH-API-KEY"]["status"] == "failed"
    assert by_name["healthy"]["checks"]["AUTH-API-KEY"]["status"] == "passed"
    for name in EXPECTED:
        folder = fleet.report_dir / name
        summary = json.loads((folder / "summary.json").read_text("utf-8"))
        assert summary["verdict"] == EXPECTED[name][0]
        assert summary["pacing"]["paced"] is True  # a live run: paced by default
        assert summary["pacing"]["ceilings"]["rpm"] == 40
        assert summary["pacing"]["subscription"] == f"sub-{name}"
        assert (folder / "diagnosis.html").is_file() and (folder / "run.log").is_file()
        assert "foundry-conformance:" in (folder / "run.log").read_text("utf-8")
    page = (fleet.report_dir / "index.html").read_text("utf-8")
    for name in EXPECTED:
        assert f'href="{name}/diagnosis.html"' in page
    assert 'href="key-header-rejected/diagnosis.html#check-AUTH-API-KEY"' in page
    assert "Verdict per target" in page and "Checks × targets" in page
    # The terminal says how each target ended and where the index is.
    assert "foundry-conformance fleet: 5 targets" in fleet.output
    assert "✘ unreachable: unreachable" in fleet.output
    assert f"index: {fleet.report_dir / 'index.html'}" in fleet.output
    for path in fleet.report_dir.rglob("*"):
        if path.is_file():
            assert KEY not in path.read_text("utf-8", errors="replace"), path
    # The fleet's own files — each target's run.log and the index — were published scanned, as
    # each target's run published its own; no staging file is left behind.
    assert index["secret_scan"]["clean"] is True
    assert index["secret_scan"]["files_scanned"] == len(EXPECTED) + 2
    assert not [p for p in fleet.report_dir.rglob(".*") if p.name.endswith(".staged")]


def normalised(index: dict[str, Any]) -> dict[str, Any]:
    """An index without what differs between two runs of the same targets: times and the scan
    (``merge`` knows no secret to scan for)."""
    index = json.loads(json.dumps(index))
    index.pop("secret_scan")
    for target in index["targets"]:
        target.pop("started_at")
        target.pop("duration_s")
        for pool in target["pools"].values():
            pool.pop("waited_s")
    return index


def test_merge_of_the_targets_run_apart_gives_the_same_index(
    fleet: Fleet, capsys: pytest.CaptureFixture[str]
) -> None:
    jobs = fleet.work / "jobs"
    for name in EXPECTED:  # as the jobs of a CI matrix would, one target each
        code, _ = run_main(
            ["run", "--fleet", str(fleet.file), "--only", name, "--report-dir", str(jobs / name)],
            capsys,
        )
        assert code == EXPECTED[name][1]
    merged = fleet.work / "merged"
    code, output = run_main(
        ["merge", *(str(jobs / n) for n in reversed(EXPECTED)), "--out", str(merged)], capsys
    )
    assert code == 3, output
    index = json.loads((merged / "fleet.json").read_text("utf-8"))
    assert normalised(index) == normalised(fleet.index)
    assert (merged / "index.html").is_file()
    for name in EXPECTED:
        assert (merged / name / "diagnosis.html").is_file()  # the links of the index hold
    # And two fleets with the same outcomes differ in nothing (their latency aside: the jobs ran
    # one at a time, the fleet's five at once on this machine's two cores).
    code, output = run_main(
        ["diff", str(fleet.report_dir), str(merged), "--latency-floor-ms", "60000"], capsys
    )
    assert code == 0
    assert "0 regressions, 0 improvements, 0 drift, 0 other changes" in output


def test_diff_of_two_runs_one_fault_apart_lists_exactly_that_change(
    fleet: Fleet, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy = fleet.report_dir / "healthy"
    rejected = fleet.report_dir / "key-header-rejected"
    # Latency aside: these are loopback timings of five runs at once on a shared machine.
    quiet = ["--latency-floor-ms", "10000"]
    code, output = run_main(["diff", str(healthy), str(rejected), "--json", *quiet], capsys)
    assert code == 0
    document = json.loads(output)
    changes = [
        (c["kind"], c["subject"], c["before"], c["after"], c["direction"])
        for c in document["changes"]
    ]
    assert changes == [
        ("verdict", "verdict", "conformant", "nonconformant", "regression"),
        ("check", "AUTH-API-KEY", "passed", "failed", "regression"),
        ("diagnosis", "api-key-header-rejected", "absent", "present (warning)", "regression"),
    ]
    # With the request ID support asks for (a gateway 401 carries apim-request-id only).
    assert all(c["request_ids"] for c in document["changes"][1:])
    code, output = run_main(
        ["diff", str(healthy), str(rejected), "--fail-on", "regressions"], capsys
    )
    assert code == 1
    assert "✘ regression  check AUTH-API-KEY: passed → failed" in output


def test_fail_on_regressions_passes_a_known_failure_and_fails_a_new_one(
    fleet: Fleet, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_FOUNDRY_API_KEY", KEY)
    rejected_url = fleet.urls["key-header-rejected"]
    known = fleet.work / "known"
    argv = [
        "run",
        "--base-url",
        rejected_url,
        "--deployment",
        DEPLOYMENT,
        "--fail-on",
        "regressions",
    ]
    code, output = run_main(
        [
            *argv,
            "--baseline",
            str(fleet.report_dir / "key-header-rejected"),
            "--report-dir",
            str(known),
        ],
        capsys,
    )
    assert code == 0, output
    assert "known failures, unchanged: AUTH-API-KEY" in output
    page = (known / "diagnosis.html").read_text("utf-8")
    assert "Since the baseline" in page and "Nothing changed." in page
    new = fleet.work / "new"
    code, output = run_main(
        [*argv, "--baseline", str(fleet.report_dir / "healthy"), "--report-dir", str(new)], capsys
    )
    assert code == 1, output
    summary = json.loads((new / "summary.json").read_text("utf-8"))
    regressions = [
        c["subject"] for c in summary["since_baseline"]["changes"] if c["direction"] == "regression"
    ]
    assert regressions == ["verdict", "AUTH-API-KEY", "api-key-header-rejected"]
    # The same at the fleet's scale: the healthy target now answers as the faulty one does.
    swapped = fleet.work / "swapped.toml"
    swapped.write_text(fleet_text(fleet.urls, healthy=rejected_url), "utf-8")
    only = [
        "--only",
        "healthy,key-header-rejected",
        "--baseline",
        str(fleet.report_dir),
        "--fail-on",
        "regressions",
    ]
    code, output = run_main(
        ["run", "--fleet", str(fleet.file), *only, "--report-dir", str(fleet.work / "same")], capsys
    )
    assert code == 0, output
    code, output = run_main(
        ["run", "--fleet", str(swapped), *only, "--report-dir", str(fleet.work / "worse")], capsys
    )
    assert code == 1, output
    assert "healthy: check AUTH-API-KEY: passed → failed" in output


def test_a_target_whose_key_is_missing_is_its_own_error_and_the_others_run(
    fleet: Fleet, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLEET_WRONG_KEY")
    code, output = run_main(
        [
            "run",
            "--fleet",
            str(fleet.file),
            "--only",
            "healthy,wrong-key",
            "--suite",
            "smoke",
            "--report-dir",
            str(fleet.work / "partial"),
        ],
        capsys,
    )
    index = json.loads((fleet.work / "partial" / "fleet.json").read_text("utf-8"))
    got = {t["name"]: (t["verdict"], t["exit_code"]) for t in index["targets"]}
    assert got == {"healthy": ("conformant", 0), "wrong-key": ("configuration-error", 2)}
    assert code == 2
    problem = next(t["problem"] for t in index["targets"] if t["name"] == "wrong-key")
    assert "api_key_env names FLEET_WRONG_KEY, which is not set" in problem
    assert "wrong-key: not run:" in output

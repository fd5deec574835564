"""Bad input to the fleet commands is one paragraph and exit 2, before anything is sent: a broken
fleet file, a flag that names one target, an unknown ``--only``, ``--only`` without a fleet, a
baseline that is not a fleet's, ``diff`` of two kinds of run, ``merge`` of nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.cli.main import main
from tests.report.factory import summary

FLEET = '[[target]]\nname = "a"\nbase_url = "http://127.0.0.1:9/anthropic/"\n'


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture
def fleet_file(tmp_path: Path) -> Path:
    path = tmp_path / "fleet.toml"
    path.write_text(FLEET, "utf-8")
    return path


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--resource", "r"], "--fleet and --resource are both given"),
        (["--only", "b"], "has no target of that name (it has a)"),
        (["--only", ","], "--only is given without a target name"),
        (["--parallel", "0"], "--parallel 0 is not a whole number of at least 1"),
        (["--fail-on", "regressions"], "--fail-on regressions needs a baseline"),
    ],
)
def test_a_fleet_refuses_what_it_cannot_run(
    fleet_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    expected: str,
) -> None:
    code, output = run(
        ["run", "--fleet", str(fleet_file), "--report-dir", str(tmp_path / "r"), *extra], capsys
    )
    assert code == 2
    assert expected in output
    assert "Traceback" not in output
    assert not (tmp_path / "r" / "a").exists()  # nothing ran


def test_a_broken_fleet_file_names_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fleet.toml"
    path.write_text(FLEET + 'colour = "blue"\n', "utf-8")
    code, output = run(["run", "--fleet", str(path)], capsys)
    assert code == 2
    assert "target[0].colour is not a field of a fleet file (a typo?)" in output
    assert "docs/fleet.example.toml" in output


def test_only_and_parallel_need_a_fleet(capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run(["run", "--only", "a"], capsys)
    assert code == 2 and "--only is given without --fleet" in output


def test_a_fleets_baseline_is_a_fleet(
    fleet_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    single = tmp_path / "single"
    summary().write(single / "summary.json")
    code, output = run(["run", "--fleet", str(fleet_file), "--baseline", str(single)], capsys)
    assert code == 2 and "is one run's summary, not a fleet's" in output


def test_a_single_runs_baseline_is_read_before_anything_is_sent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", "utf-8")
    code, output = run(
        ["run", "--emulator", "--baseline", str(broken), "--report-dir", str(tmp_path / "r")],
        capsys,
    )
    assert code == 2 and "is not JSON" in output
    code, output = run(["run", "--emulator", "--baseline", str(tmp_path / "nowhere")], capsys)
    assert code == 2 and "--baseline" in output and "does not exist" in output


def test_diff_of_a_summary_and_a_fleet_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    single = tmp_path / "single"
    summary().write(single / "summary.json")
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    (fleet / "fleet.json").write_text(
        json.dumps({"schema": "foundry-conformance.fleet/1", "targets": []}), "utf-8"
    )
    code, output = run(["diff", str(single), str(fleet)], capsys)
    assert code == 2 and "are not the same kind of run" in output
    code, output = run(["diff", str(single), str(tmp_path / "nowhere")], capsys)
    assert code == 2 and "does not exist" in output
    code, output = run(["diff", str(single), str(single), "--latency-ratio", "0.5"], capsys)
    assert code == 2 and "--latency-ratio 0.5 is not a number of at least 1" in output


def test_diff_of_a_run_with_itself_is_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    single = tmp_path / "single"
    summary().write(single / "summary.json")
    code, output = run(
        ["diff", str(single), str(single / "summary.json"), "--fail-on", "regressions"], capsys
    )
    assert code == 0
    assert "nothing changed" in output


def test_merge_of_a_directory_without_a_run_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run(["merge", str(tmp_path), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and "holds neither fleet.json nor summary.json" in output


def test_merge_of_single_runs_names_targets_by_their_directories(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, verdict in (("eastus", "conformant"), ("westus", "unreachable")):
        summary(verdict=verdict).write(tmp_path / "runs" / name / "summary.json")
    out = tmp_path / "out"
    code, output = run(
        [
            "merge",
            str(tmp_path / "runs" / "eastus"),
            str(tmp_path / "runs" / "westus"),
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 3, output
    index = json.loads((out / "fleet.json").read_text("utf-8"))
    assert [(t["name"], t["verdict"], t["report"]) for t in index["targets"]] == [
        ("eastus", "conformant", "eastus"),
        ("westus", "unreachable", "westus"),
    ]
    assert (out / "westus" / "summary.json").is_file()
    code, output = run(
        ["merge", str(tmp_path / "runs" / "eastus"), str(out / "eastus"), "--out", str(out)], capsys
    )
    assert code == 2 and "hold a target named 'eastus'" in output


def test_with_only_a_target_gets_its_share_of_its_subscriptions_ceiling(tmp_path: Path) -> None:
    """The other targets of its subscription may run at the same time elsewhere (a CI matrix)."""
    import argparse
    import tomllib

    from conformance.cli.fleet import _share
    from conformance.config.fleet import parse_fleet

    spec = parse_fleet(
        tomllib.loads(
            "".join(
                f'[[target]]\nname = "{name}"\nresource = "r-{name}"\nsubscription = "{sub}"\n'
                for name, sub in (("a", "prod"), ("b", "prod"), ("c", "prod"), ("d", "dev"))
            )
        ),
        tmp_path / "fleet.toml",
    )
    a, b, _, d = spec.targets
    args = argparse.Namespace(subscription=None)
    assert _share(a, spec, spec.targets, args) == 1.0  # the whole fleet: one book, full ceiling
    assert _share(a, spec, (a,), args) == 1 / 3
    assert _share(a, spec, (a, b), args) == 2 / 3
    assert _share(d, spec, (a, d), args) == 1.0
    from conformance.core.quota import Ceilings

    assert Ceilings(40, 40_000, 8_000).scaled(1 / 3) == Ceilings(13, 13_333, 2_666)

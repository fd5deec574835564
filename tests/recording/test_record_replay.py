"""Record against the real emulator with canary secrets, replay with it stopped: same judgement,
no trace of a secret, and a clear message for everything that can go wrong with a cassette set."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.core.constants import EMULATOR_DEV_API_KEY
from conformance.core.platform_load import builtin_profile
from conformance.core.redaction import Redactor
from conformance.recording.files import read_cassette

from .conftest import CliRun, Recorded, canary_env, leaks, record, run_cli

REPO = Path(__file__).resolve().parents[2]


def _no_network(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("a replay opened a network connection")


@pytest.fixture(scope="module")
def replayed(recorded: Recorded) -> CliRun:
    """The recorded set replayed with the emulator stopped and every socket connect refused."""
    with canary_env(recorded.root) as patch:
        patch.setattr(socket.socket, "connect", _no_network)
        patch.setattr(socket.socket, "connect_ex", _no_network)
        return run_cli(
            "--mode", "replay", "--cassettes", str(recorded.cassettes),
            report_dir=recorded.root / "reports-replay",
        )  # fmt: skip


def _copy(recorded: Recorded, tmp_path: Path) -> Path:
    return Path(shutil.copytree(recorded.cassettes, tmp_path / "set"))


def _metadata(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "metadata.json").read_text("utf-8"))


def test_record_writes_one_cassette_per_case_and_the_metadata(recorded: Recorded) -> None:
    summary = recorded.run.summary
    assert recorded.run.exit_code == 0, recorded.run.output
    names = {p.name for p in recorded.cassettes.glob("*.yaml")}
    assert {
        "AUTH-BAD-KEY[api-key].yaml",
        "AUTH-BAD-KEY[x-api-key].yaml",
        "MSG-STREAM.yaml",
    } <= names
    ran = {  # the checks that sent requests of their own (DEP-INVENTORY reports the run's)
        c["id"]
        for c in summary["checks"]
        if c["status"] != "skipped" and any(e["check"] == c["id"] for e in c["evidence"])
    }
    assert {name.split("[")[0].removesuffix(".yaml") for name in names} >= ran
    meta = _metadata(recorded.cassettes)
    assert meta["format_version"] == 1
    assert meta["source"] == "live"
    assert meta["verdict"] == summary["verdict"] == "conformant"
    assert meta["counts"] == summary["counts"]
    assert meta["endpoint"]["base_url"].startswith("http://127.0.0.1:")
    assert meta["deployments"] == []  # none named: the recording took the inventory
    assert "_session_discovery.yaml" in names
    assert set(meta["auth_modes"]) == {"api-key", "x-api-key", "entra"}
    assert set(meta["harness"]) >= {"foundry_conformance", "anthropic_sdk", "vcrpy", "python"}
    assert meta["recorded_at"] == summary["target"]["recorded_at"]
    assert meta["cases"]["AUTH-BAD-KEY[api-key].yaml"]["status"] == "passed"
    assert summary["secret_scan"]["files_scanned"] > len(names)  # the cassettes were scanned


def test_a_stream_is_kept_as_the_chunks_that_arrived(recorded: Recorded) -> None:
    [(_, entry)] = read_cassette(recorded.cassettes / "MSG-STREAM.yaml")
    chunks = entry["body"]["chunks"]
    assert len(chunks) > 3
    assert chunks[0].startswith("event: message_start")
    assert "".join(chunks) == entry["body"]["string"].decode()


def test_replay_judges_exactly_as_the_live_run_did(recorded: Recorded, replayed: CliRun) -> None:
    assert replayed.exit_code == recorded.run.exit_code == 0, replayed.output
    assert replayed.summary["verdict"] == recorded.run.summary["verdict"]
    assert replayed.outcomes() == recorded.run.outcomes()
    assert replayed.codes() == recorded.run.codes()
    target = replayed.summary["target"]
    assert target["kind"] == "replay"
    assert target["recorded_at"] == recorded.run.summary["target"]["recorded_at"]
    assert target["cassettes"] == str(recorded.cassettes)
    assert any(
        note.startswith(f"Replaying {recorded.cassettes}") for note in replayed.summary["notes"]
    )


def test_no_canary_reaches_any_file_of_either_run(recorded: Recorded, replayed: CliRun) -> None:
    assert leaks(recorded.cassettes, recorded.run.report_dir, replayed.report_dir) == []
    assert replayed.summary["secret_scan"]["clean"]


def test_a_server_that_echoes_the_key_leaves_no_trace(
    tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    run = record(tmp_path, "echo", "echo-key", "--redact-resource")
    # Every check passes; the echo itself is the finding that keeps the run from conformant.
    assert run.exit_code == 1, run.output
    assert run.summary["counts"]["failed"] == run.summary["counts"]["errors"] == 0
    assert "credential-echoed" in run.codes()
    cassettes = tmp_path / "cassettes" / "echo"
    recorded = (cassettes / "AUTH-X-API-KEY.yaml").read_text()
    assert "presented_credential" in recorded and "echoed:" in recorded
    assert leaks(cassettes, run.report_dir) == []
    assert "127.0.0.1" not in "".join(p.read_text() for p in cassettes.iterdir())
    again = run_cli("--mode", "replay", "--cassettes", str(cassettes), report_dir=tmp_path / "r")
    assert again.outcomes() == run.outcomes()
    assert "credential-echoed" in again.codes()  # from the places the recording kept
    assert again.exit_code == 1
    assert leaks(again.report_dir) == []


def test_one_deleted_interaction_leaves_exactly_that_check_unjudged(
    recorded: Recorded, tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    cassettes = _copy(recorded, tmp_path)
    path = cassettes / "AUTH-BAD-KEY[api-key].yaml"
    data = yaml.safe_load(path.read_text())
    data["interactions"] = []
    path.write_text(yaml.safe_dump(data))
    run = run_cli("--mode", "replay", "--cassettes", str(cassettes), report_dir=tmp_path / "r")
    assert (run.exit_code, run.summary["verdict"]) == (5, "incomplete")
    [(case, reason)] = run.failing().items()
    assert reason.startswith("not in the recording: ")
    assert case.endswith("test_wrong_key_is_refused_with_correlation_ids[api-key]")
    assert (
        f"AUTH-BAD-KEY[api-key] sent POST /anthropic/v1/messages with api-key, which is not recorded in {path}."
        in reason
    )
    assert "The same request is recorded for another case (AUTH-API-KEY.yaml #1)" in reason
    assert "never borrowed across cases" in reason
    assert "Nothing was sent." in reason
    assert "Traceback" not in run.output
    (cause,) = run.summary["cut_short"]
    assert (cause["cause"], cause["checks"]) == ("unrecorded", ["AUTH-BAD-KEY[api-key]"])
    assert cause["details"] == [
        "AUTH-BAD-KEY: The same request is recorded for another case (AUTH-API-KEY.yaml #1), but "
        "answers are never borrowed across cases: this case's own recording lacks it (deleted, or "
        "recorded by another suite or harness version)."
    ]
    assert (
        "cut short (1 not judged): 1 request of this replay is not in the recording" in run.output
    )


def test_a_corrupt_cassette_fails_its_checks_with_the_file_and_the_fix(
    recorded: Recorded, tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    cassettes = _copy(recorded, tmp_path)
    path = cassettes / "MSG-BASIC.yaml"
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    run = run_cli("--mode", "replay", "--cassettes", str(cassettes), report_dir=tmp_path / "r")
    [(case, reason)] = run.failing().items()
    assert "test_minimal_request_returns_a_message" in case
    assert f"The cassette {path} cannot be replayed: it is not valid YAML" in reason
    assert "re-record the set (foundry-conformance run --mode record --cassettes DIR)" in reason
    assert "Traceback" not in run.output


def test_cassettes_of_an_incompatible_format_are_refused_before_anything_runs(
    recorded: Recorded, tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    cassettes = _copy(recorded, tmp_path)
    meta = _metadata(cassettes)
    meta["format_version"] = 99
    (cassettes / "metadata.json").write_text(json.dumps(meta))
    run = run_cli("--mode", "replay", "--cassettes", str(cassettes), report_dir=tmp_path / "r")
    assert run.exit_code == 2
    assert "format_version 99" in run.output
    assert "replays format version 1 only" in run.output
    assert not run.report_dir.exists()


def test_old_cassettes_are_replayed_with_a_warning(
    recorded: Recorded, tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    cassettes = _copy(recorded, tmp_path)
    meta = _metadata(cassettes)
    meta["recorded_at"] = "2020-01-01T00:00:00+00:00"
    (cassettes / "metadata.json").write_text(json.dumps(meta))
    args = ("--mode", "replay", "--cassettes", str(cassettes), "--select", "MSG-BASIC")
    run = run_cli(*args, "--max-cassette-age", "45", report_dir=tmp_path / "r")
    assert run.exit_code == 0, run.output
    warning = "more than --max-cassette-age 45 days: the endpoint may behave differently by now"
    assert warning in run.output
    assert any(warning in note for note in run.summary["notes"])
    assert run.summary["target"]["recorded_at"] == "2020-01-01T00:00:00+00:00"


def test_replay_without_a_cassette_directory_sends_nothing(
    tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    run = run_cli("--mode", "replay", "--cassettes", "nowhere", report_dir=tmp_path / "r")
    assert run.exit_code == 2
    assert "--cassettes nowhere does not exist" in run.output
    assert "--mode record" in run.output
    assert not run.report_dir.exists()


@pytest.mark.parametrize(
    ("label", "exit_code", "failing", "codes"),
    [
        ("emulator-default", 0, set(), set()),
        ("emulator-api-key-rejected", 1, {"AUTH-API-KEY"}, {"api-key-header-rejected"}),
    ],
)
def test_the_shipped_sets_replay_on_a_fresh_clone(
    label: str,
    exit_code: int,
    failing: set[str],
    codes: set[str],
    tmp_path: Path,
    env: pytest.MonkeyPatch,
) -> None:
    shipped = REPO / "cassettes" / label
    shutil.copytree(shipped, tmp_path / "cassettes" / label)
    meta = _metadata(shipped)
    assert meta["source"] == f"emulator:{label.removeprefix('emulator-')}"
    dev_key = Redactor([EMULATOR_DEV_API_KEY])
    assert not any(dev_key.contains_secret(p.read_text()) for p in shipped.iterdir())
    args = ("--mode", "replay", "--cassettes", f"cassettes/{label}", "--max-cassette-age", "100000")
    run = run_cli(*args, report_dir=tmp_path / "r")
    assert run.exit_code == exit_code, run.output
    assert {c["id"] for c in run.summary["checks"] if c["status"] in ("failed", "error")} == failing
    assert codes <= set(run.codes())
    assert run.summary["verdict"] == meta["verdict"]


def test_a_replay_does_not_hold_its_own_timings_against_latency_thresholds(
    tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    shipped = REPO / "cassettes" / "emulator-default"
    args = ("--mode", "replay", "--cassettes", str(shipped), "--max-cassette-age", "100000")
    run = run_cli(
        *args, "--select", "PERF-LATENCY", "--max-ttft-ms", "1", report_dir=tmp_path / "r"
    )
    cases = run.summary["checks"]
    assert len(cases) == len(builtin_profile().emulator_deployments)  # one per deployment
    for latency in cases:
        assert latency["status"] == "skipped"
        assert latency["reason"].startswith("latency thresholds are not judged in a replay")
    html = (tmp_path / "r" / "diagnosis.html").read_text("utf-8")
    assert "these timings are the replay's, not the endpoint's" in html


def test_a_normal_run_never_imports_vcrpy(tmp_path: Path) -> None:
    script = (
        "import sys; import conformance.cli.main, conformance.plugin.hooks; "
        "from conformance.config import RawOptions, resolve_settings; "
        "from conformance.target.run import FoundryRun; "
        "FoundryRun(resolve_settings(RawOptions(), {}), env={}).start().close(); "
        "sys.exit(3 if 'vcr' in sys.modules else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]


def test_an_unreachable_endpoint_is_recorded_and_replayed_as_unreachable(
    tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    cassettes = str(tmp_path / "dead")
    args = ("--cassettes", cassettes, "--timeout", "5", "--select", "EP-", "--select", "MSG-BASIC")
    live = run_cli(
        "--mode", "record", "--base-url", "http://127.0.0.1:9/anthropic/", *args,
        report_dir=tmp_path / "r1",
    )  # fmt: skip
    assert live.exit_code == 3, live.output
    again = run_cli("--mode", "replay", *args, report_dir=tmp_path / "r2")
    assert again.exit_code == 3
    assert again.outcomes() == live.outcomes()
    assert again.codes() == live.codes() == ["connection-failed"]


def test_a_miss_inside_the_official_sdk_still_names_the_check_and_the_nearest_request(
    recorded: Recorded, tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    cassettes = _copy(recorded, tmp_path)
    (cassettes / "SDK-FOUNDRY.yaml").unlink()
    args = ("--mode", "replay", "--cassettes", str(cassettes), "--select", "SDK-")
    run = run_cli(*args, report_dir=tmp_path / "r")
    [reason] = run.failing().values()
    assert "SDK-FOUNDRY sent POST /anthropic/v1/messages with x-api-key + api-key" in reason
    assert "no such file, though this case ended passed when recording: deleted?" in reason
    assert "Nearest recorded request: POST /anthropic/v1/messages with" in reason


def test_a_concurrent_recording_files_the_same_cassettes_as_a_serial_one(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """--jobs changes when requests are sent, not what each case's cassette holds."""

    def requests_by_cassette(directory: Path) -> dict[str, list[tuple[str, str]]]:
        return {
            path.name: [(request.method, request.path) for request, _ in read_cassette(path)]
            for path in sorted(directory.glob("*.yaml"))
        }

    serial = record(tmp_path, "serial", "default", "--jobs", "1")
    concurrent = record(tmp_path, "concurrent", "default", "--jobs", "4")
    assert concurrent.outcomes() == serial.outcomes()
    assert requests_by_cassette(tmp_path / "cassettes" / "concurrent") == requests_by_cassette(
        tmp_path / "cassettes" / "serial"
    )
    assert not leaks(tmp_path)


def _snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(directory)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in directory.rglob("*")
        if p.is_file()
    }


def test_a_recording_into_a_directory_of_foreign_files_changes_none_of_them(
    tmp_path: Path, env: pytest.MonkeyPatch
) -> None:
    cassettes = tmp_path / "cassettes" / "shared"
    (cassettes / "sub").mkdir(parents=True)
    foreign = {
        "notes.txt": "my notes",
        "mine.yaml": "interactions: []\nversion: 1\n",
        "sub/deep.txt": "deep",
        ".hidden": "hidden",
    }
    for name, text in foreign.items():
        (cassettes / name).write_text(text, "utf-8")
    before = _snapshot(cassettes)

    refused = record(tmp_path, "shared", "default", "--select", "MSG-BASIC")
    assert refused.exit_code == 2, refused.output
    assert "holds files that no recording of foundry-conformance wrote there" in refused.output
    assert _snapshot(cassettes) == before

    for _ in range(2):  # and again: the second run replaces only what the first one wrote
        run = record(tmp_path, "shared", "default", "--select", "MSG-BASIC", "--overwrite")
        assert run.exit_code == 0, run.output
        after = _snapshot(cassettes)
        assert {name: after[name] for name in before} == before
        owned = set(_metadata(cassettes)["cases"]) | {"metadata.json"}
        assert set(after) - set(before) <= owned | {"_session_discovery.yaml"}
        assert not set(before) & owned
    again = run_cli("--mode", "replay", "--cassettes", str(cassettes), report_dir=tmp_path / "r")
    assert again.exit_code == 0, again.output
    assert _snapshot(cassettes) == after

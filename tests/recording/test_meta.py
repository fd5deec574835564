"""The cassette set on disk: file names, metadata.json and what makes a cassette readable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from conformance.config.recording import (
    age_warning,
    check_record_directory,
    owned_files,
    read_recording,
)
from conformance.core.errors import ConfigError
from conformance.recording.meta import cassette_name, cassette_problem

from .sets import write_cassette_set

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def write_set(directory: Path, **changes: Any) -> Path:
    return write_cassette_set(directory, **{"recorded_at": "2025-05-30T10:00:00+00:00", **changes})


def test_a_case_file_is_named_by_its_check_and_parameters() -> None:
    assert (
        cassette_name("AUTH-BAD-KEY", "test_auth.py::test_x[api-key]")
        == "AUTH-BAD-KEY[api-key].yaml"
    )
    assert cassette_name("MSG-BASIC", "suite/test_messages.py::test_y") == "MSG-BASIC.yaml"
    assert cassette_name(None, "session::primary-auth") == "_session_primary-auth.yaml"
    assert "/" not in cassette_name("X", "t.py::t[a/b c]")


def test_a_recording_is_read_with_its_options(tmp_path: Path) -> None:
    recording = read_recording(write_set(tmp_path, deployments=["d1"], auth_modes=["x-api-key"]))
    assert recording.deployments == ("d1",)
    assert recording.auth_modes == ("x-api-key",)
    assert recording.describe().startswith("recorded 2025-05-30T10:00:00+00:00 from live")
    assert recording.age_days(NOW) == 1


def test_a_missing_directory_says_how_to_record_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        read_recording(tmp_path / "nowhere")
    assert "does not exist" in str(caught.value)
    assert "--mode record" in str(caught.value)


def test_a_directory_without_metadata_is_not_a_cassette_set(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"holds no metadata\.json"):
        read_recording(tmp_path)


def test_corrupt_metadata_names_the_file_and_the_fix(tmp_path: Path) -> None:
    (tmp_path / "metadata.json").write_text('{"format": "foundry-conf')
    with pytest.raises(ConfigError) as caught:
        read_recording(tmp_path)
    assert f"{tmp_path / 'metadata.json'} is corrupt" in str(caught.value)
    assert "Re-record" in str(caught.value)


def test_an_incompatible_format_version_says_which_versions_are_readable(tmp_path: Path) -> None:
    write_set(tmp_path, format_version=7, harness={"foundry_conformance": "9.0.0"})
    with pytest.raises(ConfigError) as caught:
        read_recording(tmp_path)
    text = str(caught.value)
    assert "format_version 7 (recorded by foundry-conformance 9.0.0)" in text
    assert "replays format version 1 only" in text
    assert "replay them with foundry-conformance 9.0.0" in text


def test_old_recordings_are_warned_about(tmp_path: Path) -> None:
    recording = read_recording(write_set(tmp_path))
    assert age_warning(recording, NOW, 30) is None
    warning = age_warning(recording, NOW + timedelta(days=40), 30)
    assert warning is not None
    assert "recorded 41 days ago" in warning
    assert "more than --max-cassette-age 30 days" in warning


def test_recording_never_mixes_with_foreign_files(tmp_path: Path) -> None:
    check_record_directory(tmp_path / "new")
    check_record_directory(tmp_path)  # empty
    write_set(tmp_path, files=["MSG-BASIC.yaml"])
    (tmp_path / "MSG-BASIC.yaml").write_text("version: 1\n")
    check_record_directory(tmp_path)  # an earlier recording, all of it listed: replaced
    (tmp_path / "notes.yaml").write_text("mine: true\n")
    (tmp_path / "drafts").mkdir()
    with pytest.raises(ConfigError) as caught:
        check_record_directory(tmp_path)
    assert caught.value.problem.endswith(
        "holds files that no recording of foundry-conformance wrote there (drafts, notes.yaml): "
        "a recording would mix with them, and could replace one."
    )
    assert "pass --overwrite to record there anyway" in caught.value.fix
    check_record_directory(tmp_path, overwrite=True)


def test_what_a_recording_owns_is_what_its_metadata_lists_and_nothing_outside(
    tmp_path: Path,
) -> None:
    listed = ["A.yaml", "../escape.yaml", "/etc/passwd.yaml", "sub/B.yaml", "notes.txt", 7]
    write_set(tmp_path, files=listed, cases={"C[x].yaml": {"check": "C"}})
    assert owned_files(tmp_path) == {"metadata.json", "A.yaml", "C[x].yaml"}
    (tmp_path / "metadata.json").write_text('{"format": "someone else\'s"}')
    assert owned_files(tmp_path) == frozenset()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], "no mapping"),
        ({"interactions": []}, "lacks the `version` line"),
        ({"version": 2, "interactions": []}, "format 2"),
        ({"version": 1}, "no `interactions` list"),
        (
            {"version": 1, "interactions": [{"request": {"method": "GET"}}]},
            "#1 has no complete `request`",
        ),
        (
            {
                "version": 1,
                "interactions": [
                    {
                        "request": {"method": "GET", "uri": "u", "headers": {}},
                        "response": {"status": {}},
                    }
                ],
            },
            "#1 has no `response.status.code`",
        ),
    ],
)
def test_a_broken_cassette_structure_is_named(data: Any, problem: str) -> None:
    found = cassette_problem(data)
    assert found is not None and problem in found

"""A replay takes its endpoint and options from the recording, unless a flag says otherwise."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conformance.config import AuthMode, RawOptions, Settings, Suite, resolve_settings
from conformance.core.errors import ConfigError

from ..recording.sets import RECORDED_BASE_URL, write_cassette_set

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def replay(directory: Path, **options: Any) -> Settings:
    return resolve_settings(RawOptions(mode="replay", cassettes=directory, **options), {}, now=NOW)


def test_the_recording_s_options_are_the_defaults(tmp_path: Path) -> None:
    cassettes = write_cassette_set(
        tmp_path,
        deployments=["d1", "d2"],
        auth_modes=["x-api-key"],
        entra_scope="https://ai.azure.com/.default",
        suite="smoke",
        select=["AUTH-"],
        probe_rate_limit=True,
    )
    s = replay(cassettes)
    assert s.base_url == RECORDED_BASE_URL
    assert s.deployments == ("d1", "d2")
    assert s.auth_modes == (AuthMode.X_API_KEY,)
    assert s.entra_source is None
    assert s.entra_scope == "https://ai.azure.com/.default"
    assert (s.suite, s.select, s.probe_rate_limit) == (Suite.SMOKE, ("AUTH-",), True)
    assert s.recording is not None and s.recording.recorded_at.year == 2025


def test_flags_win_over_the_recording(tmp_path: Path) -> None:
    s = replay(write_cassette_set(tmp_path), deployments=["other"], suite="full", auth=["entra"])
    assert s.deployments == ("other",)
    assert s.suite is Suite.FULL
    assert s.auth_modes == (AuthMode.ENTRA,)


def test_an_auth_mode_the_recording_lacks_is_warned_about(tmp_path: Path) -> None:
    s = replay(write_cassette_set(tmp_path, auth_modes=["entra"]), auth=["x-api-key"])
    assert s.warnings == (
        "--auth x-api-key was not used when recording: those checks will fail as not recorded.",
    )


def test_a_keyless_recording_replays_without_a_key(tmp_path: Path) -> None:
    s = replay(write_cassette_set(tmp_path, auth_modes=["entra"]))
    assert s.api_key is None
    assert s.auth_modes == (AuthMode.ENTRA,)


def test_the_age_limit_is_a_number_of_days(tmp_path: Path) -> None:
    cassettes = write_cassette_set(tmp_path, recorded_at="2025-10-01T00:00:00+00:00")
    assert replay(cassettes, max_cassette_age="100").warnings == ()
    assert "more than --max-cassette-age 30 days" in replay(cassettes).warnings[0]
    with pytest.raises(ConfigError, match="--max-cassette-age 'soon' is not a whole number"):
        replay(cassettes, max_cassette_age="soon")


def test_record_refuses_a_directory_of_foreign_yaml(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("a: 1\n")
    options = RawOptions(
        mode="record", base_url="https://r.services.ai.azure.com/anthropic/", cassettes=tmp_path
    )
    with pytest.raises(ConfigError, match="holds files that no recording of foundry-conformance"):
        resolve_settings(options, {"ANTHROPIC_FOUNDRY_API_KEY": "k" * 32})

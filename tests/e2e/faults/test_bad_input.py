"""Bad configuration and input: a one-paragraph error with the fix, exit 2, and nothing sent.

"Nothing sent" is proven, not assumed: the endpoint of every case is a listening loopback socket
that counts the connections it accepts, and the emulator is watched for being started. The
``report`` and ``ticket`` commands get every kind of broken ``summary.json``, and a fuzzer breaks
a real one field by field.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.emulator.server import EmulatorServer

from ...report.factory import failing_summary
from .conftest import Cli
from .helpers import ConnectionRecorder, no_traceback

CONFIG_ERROR = "foundry-conformance: configuration error: "


@pytest.fixture
def emulator_starts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times an emulator was started (none may be, for a configuration error)."""
    started: list[int] = []
    original = EmulatorServer.start

    def counting(self: EmulatorServer) -> EmulatorServer:
        started.append(1)
        return original(self)

    monkeypatch.setattr(EmulatorServer, "start", counting)
    yield started


def _expand(value: str, recorder: ConnectionRecorder, tmp_path: Path) -> str:
    """``value`` with the placeholders of the table filled in (a JSON value keeps its braces)."""
    for name, filler in (
        ("{url}", recorder.base_url),
        ("{port}", str(recorder.port)),
        ("{host}", "127.0.0.1"),
        ("{tmp}", str(tmp_path)),
    ):
        value = value.replace(name, filler)
    return value


def _cassette_set(tmp_path: Path, metadata: str | None) -> Path:
    directory = tmp_path / "cassettes"
    directory.mkdir()
    if metadata is not None:
        (directory / "metadata.json").write_text(metadata, "utf-8")
    return directory


# (id, command-line arguments, environment changes, what the message must say). "{url}" is the
# counting socket's base URL, aimed at so that anything sent would be seen.
BAD_CONFIGURATION: list[tuple[str, tuple[str, ...], dict[str, str | None], str]] = [
    # -- the endpoint
    ("base-url-ftp", ("--base-url", "ftp://{host}:{port}/anthropic/"), {},
     "--base-url 'ftp://{host}:{port}/anthropic/' uses the scheme 'ftp'; only https:// (or "
     "http:// for a local test server) is possible. Give the endpoint as --base-url "
     "http://{host}:{port}/anthropic/."),
    ("base-url-no-scheme", ("--base-url", "{host}:{port}/anthropic/"), {},
     "--base-url '{host}:{port}/anthropic/' has no scheme (http:// or https://). Start it with "
     "http:// (a server on this machine, such as the emulator, speaks plain HTTP): --base-url "
     "http://{host}:{port}/anthropic/."),
    ("base-url-space", ("--base-url", "http://{host}:{port}/anthropic /"), {},
     "/anthropic /' holds a space (character"),
    ("base-url-with-route", ("--base-url", "{url}v1/messages"), {},
     "Stop the base URL before /v1: --base-url {url}"),
    ("base-url-with-query", ("--base-url", "{url}?api-version=2024-10-21"), {},
     "has a query or fragment"),
    ("base-url-with-user", ("--base-url", "http://me:pw@{host}:{port}/anthropic/"), {},
     "carries user information"),
    ("base-url-bad-port", ("--base-url", "http://{host}:99999/anthropic/"), {},
     "--base-url 'http://{host}:99999/anthropic/' has the port '99999', which is not a number "
     "from 1 to 65535. Give a port number, or none for the scheme's own: --base-url "
     "http://{host}/anthropic/."),
    ("base-url-bad-ipv6", ("--base-url", "http://[::1/anthropic/"), {}, "is not a valid URL"),
    ("resource-is-a-url", ("--resource", "{url}"), {}, "is a URL, not a resource name"),
    ("resource-is-a-host", ("--resource", "myres.services.ai.azure.com"), {},
     "use --resource myres"),
    ("resource-and-base-url", ("--resource", "myres", "--base-url", "{url}"), {},
     "--resource and --base-url are both given"),
    ("both-variables", (), {"ANTHROPIC_FOUNDRY_RESOURCE": "myres",
                            "ANTHROPIC_FOUNDRY_BASE_URL": "{url}"},
     "ANTHROPIC_FOUNDRY_RESOURCE and ANTHROPIC_FOUNDRY_BASE_URL are both set"),
    ("bad-base-url-variable", (), {"ANTHROPIC_FOUNDRY_BASE_URL": "{host}:{port}"},
     "ANTHROPIC_FOUNDRY_BASE_URL '{host}:{port}' has no scheme (http:// or https://). Start it "
     "with http:// (a server on this machine, such as the emulator, speaks plain HTTP): "
     "ANTHROPIC_FOUNDRY_BASE_URL=http://{host}:{port}/anthropic/."),
    ("emulator-and-base-url", ("--emulator", "--base-url", "{url}"), {},
     "--emulator and --base-url are both given"),
    ("live-without-endpoint", ("--mode", "live"), {}, "--mode live needs a live endpoint"),
    # -- numbers and names
    ("timeout-zero", ("--base-url", "{url}", "--timeout", "0"), {},
     "--timeout '0' is not a number of seconds above 0"),
    ("timeout-text", ("--base-url", "{url}", "--timeout", "soon"), {}, "Give a value like --timeout 30"),
    ("timeout-nan", ("--base-url", "{url}", "--timeout", "nan"), {}, "--timeout 'nan'"),
    ("timeout-huge", ("--base-url", "{url}", "--timeout", "1e9"), {}, "at most 600"),
    ("max-requests-zero", ("--base-url", "{url}", "--max-requests", "0"), {},
     "--max-requests '0' is not a whole number of at least 1"),
    ("max-requests-text", ("--base-url", "{url}", "--max-requests", "lots"), {},
     "Give a number like --max-requests 200"),
    ("max-tokens-negative", ("--base-url", "{url}", "--max-tokens", "-5"), {},
     "--max-tokens '-5' is not a whole number of at least 1. Give a number like --max-tokens"),
    ("max-latency-text", ("--base-url", "{url}", "--max-latency-ms", "fast"), {},
     "--max-latency-ms 'fast' is not a number of milliseconds"),
    ("max-ttft-zero", ("--base-url", "{url}", "--max-ttft-ms", "0"), {}, "--max-ttft-ms '0'"),
    ("max-cassette-age-text", ("--base-url", "{url}", "--max-cassette-age", "old"), {},
     "--max-cassette-age 'old' is not a whole number of at least 0"),
    ("suite-unknown", ("--base-url", "{url}", "--suite", "quick"), {},
     "--suite 'quick' is not one of the valid values. Use one of: smoke, standard, full."),
    ("select-unknown", ("--base-url", "{url}", "--select", "MSG-NOPE"), {},
     "--select 'MSG-NOPE' names no check of the catalog. Did you mean --select MSG-NO-VERSION? "
     "Give a check ID"),
    ("auth-unknown", ("--base-url", "{url}", "--auth", "basic"), {},
     "--auth 'basic' is not one of the valid values. Use one of: api-key, x-api-key, entra."),
    ("auth-key-without-key", ("--base-url", "{url}", "--auth", "x-api-key"),
     {"ANTHROPIC_FOUNDRY_API_KEY": None}, "--auth x-api-key needs an API key"),
    ("no-credentials", ("--base-url", "{url}"), {"ANTHROPIC_FOUNDRY_API_KEY": None},
     "No credentials are configured for the endpoint"),
    ("deployment-invalid", ("--base-url", "{url}", "--deployment", "my deployment"), {},
     "is not a valid deployment name"),
    ("entra-scope-invalid", ("--base-url", "{url}", "--entra-scope", "cognitiveservices"), {},
     "is not an https URL ending in /.default"),
    ("mode-unknown", ("--base-url", "{url}", "--mode", "dry-run"), {}, "--mode 'dry-run'"),
    ("emulator-unknown-profile", ("--emulator", "flaky"), {},
     "unknown emulator profile 'flaky'; valid profiles: default,"),
    ("emulator-profile-value", ("--emulator", "slow=soon"), {}, "needs seconds, got 'soon'"),
    ("emulator-profile-too-slow", ("--emulator", "slow=9999"), {}, "needs 0 to 600 seconds"),
    # -- credentials that no header can carry (never shown back)
    ("key-with-line-break", ("--base-url", "{url}"),
     {"ANTHROPIC_FOUNDRY_API_KEY": "0123456789abcdef\n0123456789abcdef"},
     "ANTHROPIC_FOUNDRY_API_KEY holds a line break or control character (character 17 of 33)"),
    ("key-non-ascii", ("--base-url", "{url}"), {"ANTHROPIC_FOUNDRY_API_KEY": "clé-0123456789abcdef"},
     "ANTHROPIC_FOUNDRY_API_KEY holds a non-ASCII character"),
    ("token-is-json", ("--base-url", "{url}"),
     {"FOUNDRY_CONFORMANCE_ENTRA_TOKEN": '{"accessToken": "eyJ0eXAi", "expiresOn": "x"}'},
     "FOUNDRY_CONFORMANCE_ENTRA_TOKEN holds JSON, not a token"),
    ("token-with-line-break", ("--base-url", "{url}"),
     {"FOUNDRY_CONFORMANCE_ENTRA_TOKEN": "eyJhbGciOiJub25lIn0\r\n.e30.c2ln"},
     "FOUNDRY_CONFORMANCE_ENTRA_TOKEN holds a line break or control character"),
    # -- replay: nothing recorded to replay
    ("replay-missing-dir", ("--mode", "replay", "--base-url", "{url}", "--cassettes", "{tmp}/none"),
     {}, "does not exist (or is not a directory)"),
    ("replay-no-cassettes-flag", ("--mode", "replay", "--base-url", "{url}"), {},
     "--mode replay needs the recorded cassettes"),
    # -- where the report goes
    ("report-dir-under-a-file", ("--base-url", "{url}", "--report-dir", "{tmp}/a-file/reports"), {},
     "--report-dir {tmp}/a-file/reports cannot be created"),
    ("report-file-is-a-directory", ("--base-url", "{url}", "--report-dir", "{tmp}/occupied"), {},
     "--report-dir {tmp}/occupied: {tmp}/occupied/summary.json is a directory, where the run "
     "writes the file summary.json. Remove or rename that directory"),
    ("pytest-html-file-is-a-directory",
     ("--base-url", "{url}", "--report-dir", "{tmp}/taken", "--pytest-arg=--html={tmp}/a-dir"),
     {}, "{tmp}/a-dir is a directory, where the run writes the file a-dir"),
    ("metadata-is-a-directory",
     ("--mode", "record", "--base-url", "{url}", "--cassettes", "{tmp}/own-set", "--overwrite"), {},
     "--cassettes {tmp}/own-set: {tmp}/own-set/metadata.json is a directory"),
    # -- a recording never mixes with someone else's files
    ("record-into-foreign-files",
     ("--mode", "record", "--base-url", "{url}", "--cassettes", "{tmp}/foreign"), {},
     "--cassettes {tmp}/foreign holds files that no recording of foundry-conformance wrote there "
     "(notes.txt): a recording would mix with them, and could replace one. Record into a new or "
     "empty directory (e.g. cassettes/<label>/), or pass --overwrite"),
    # -- what no request can carry (never sent, never shown back)
    ("base-url-with-space", ("--base-url", "http://127.0.0.1:{port}/anth ropic/"), {},
     "holds a space (character"),
    ("base-url-with-line-break", (), {"ANTHROPIC_FOUNDRY_BASE_URL": "http://127.0.0.1:{port}/\nanthropic/"},
     "holds a line break (character"),
    ("base-url-zero-width-space", ("--base-url", "http://127.0.0.1:{port}/anthropic/\u200b/"), {},
     "holds a control or formatting character (character"),
    ("deployment-empty", ("--base-url", "{url}", "--deployment", ""), {},
     "--deployment '' is empty. Give the name shown under Deployments"),
    ("deployment-blank", ("--base-url", "{url}", "--deployment", "  "), {}, "is empty"),
    ("deployment-empty-between-commas", ("--base-url", "{url}", "--deployment", "a,,b"), {},
     "--deployment 'a,,b' holds an empty name between its commas"),
    ("key-with-space", ("--base-url", "{url}"),
     {"ANTHROPIC_FOUNDRY_API_KEY": "0123456789abcdef 0123456789abcdef"},
     "ANTHROPIC_FOUNDRY_API_KEY holds a space (character 17 of 33), which no credential holds"),
    ("unprivileged-token-line-break", ("--base-url", "{url}"),
     {"FOUNDRY_CONFORMANCE_UNPRIVILEGED_TOKEN": "0123456789abcdef\n0123456789abcdef"},
     "FOUNDRY_CONFORMANCE_UNPRIVILEGED_TOKEN holds a line break or control character"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [pytest.param(a, e, m, id=i) for i, a, e, m in BAD_CONFIGURATION],
)
def test_bad_configuration_is_one_paragraph_exit_2_and_nothing_sent(
    args: tuple[str, ...],
    env: dict[str, str | None],
    message: str,
    cli: Callable[..., Cli],
    clean_env: pytest.MonkeyPatch,
    recorder: ConnectionRecorder,
    emulator_starts: list[int],
    tmp_path: Path,
) -> None:
    (tmp_path / "a-file").write_text("", "utf-8")
    (tmp_path / "occupied" / "summary.json").mkdir(parents=True)
    (tmp_path / "a-dir").mkdir()
    (tmp_path / "own-set" / "metadata.json").mkdir(parents=True)
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("mine", "utf-8")
    for name, value in env.items():
        if value is None:
            clean_env.delenv(name, raising=False)
        else:
            clean_env.setenv(name, _expand(value, recorder, tmp_path))
    report_dir = tmp_path / "reports"
    argv = [_expand(arg, recorder, tmp_path) for arg in args]
    if "--report-dir" not in argv:
        argv += ["--report-dir", str(report_dir)]
    result = cli("run", *argv)
    assert result.exit_code == 2, result.err
    assert result.out == ""
    assert result.err.startswith(CONFIG_ERROR), result.err
    assert result.err.count("\n") == 1, result.err  # one paragraph
    expected = _expand(message, recorder, tmp_path)
    assert expected in result.err
    no_traceback(result.err)
    assert recorder.accepted == 0, "a request was sent"
    assert emulator_starts == [], "the emulator was started"
    assert not report_dir.exists(), "a report directory was written"
    assert "0123456789abcdef" not in result.err  # a credential is never echoed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--timeout",), "argument --timeout: expected one argument"),
        (("--no-such-flag",), "unrecognized arguments: --no-such-flag"),
        (("--base-url",), "argument --base-url: expected one argument"),
    ],
)
def test_a_malformed_command_line_says_so_and_points_to_help(
    args: tuple[str, ...],
    message: str,
    cli: Callable[..., Cli],
    recorder: ConnectionRecorder,
    emulator_starts: list[int],
) -> None:
    result = cli("run", "--base-url", recorder.base_url, *args)
    assert result.exit_code == 2
    assert message in result.err
    assert "--help`)" in result.err
    no_traceback(result.err)
    assert (recorder.accepted, emulator_starts) == (0, [])


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        (None, "holds no metadata.json, so it is not a cassette set"),
        ("", "metadata.json is corrupt: it is not readable JSON"),
        ('{"format": "foundry-conformance.cassettes", "format_ver', "is not readable JSON"),
        ("[]", "does not describe a foundry-conformance.cassettes set"),
        ('{"format": "foundry-conformance.cassettes", "format_version": 1}',
         "a field is missing or malformed"),
    ],
    ids=["empty-dir", "empty-metadata", "truncated-metadata", "not-an-object", "fields-missing"],
)  # fmt: skip
def test_a_replay_of_a_broken_cassette_set_sends_nothing(
    metadata: str | None,
    message: str,
    cli: Callable[..., Cli],
    recorder: ConnectionRecorder,
    emulator_starts: list[int],
    tmp_path: Path,
) -> None:
    cassettes = _cassette_set(tmp_path, metadata)
    report_dir = tmp_path / "reports"
    result = cli(
        "run", "--mode", "replay", "--cassettes", str(cassettes), "--base-url", recorder.base_url,
        "--report-dir", str(report_dir),
    )  # fmt: skip
    assert result.exit_code == 2, result.err
    assert result.err.startswith(CONFIG_ERROR) and result.err.count("\n") == 1, result.err
    assert message in result.err
    assert "foundry-conformance run --mode record --cassettes DIR" in result.err  # the fix
    no_traceback(result.err)
    assert (recorder.accepted, emulator_starts) == (0, [])
    assert not report_dir.exists()


# -- report and ticket: a broken summary.json ---------------------------------------------------


def _real_summary() -> dict[str, Any]:
    return failing_summary().to_dict()


@pytest.mark.parametrize("command", ["report", "ticket"])
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is not JSON"),
        (b"   \n", "is not JSON"),
        (b"<html><body>502 Bad Gateway</body></html>", "is not JSON"),
        (b"\xff\xfe\x00garbage", "cannot be read"),
        (b"null", "is not a run summary"),
        (b'"foundry-conformance.summary/1"', "is not a run summary"),
        (b'{"schema": "foundry-conformance.summary/2"}', "it was not written by this version"),
    ],
    ids=["empty", "blank", "html", "not-utf8", "null", "a-string", "newer-schema"],
)
def test_report_and_ticket_refuse_what_is_not_a_summary(
    command: str, content: bytes, message: str, cli: Callable[..., Cli], tmp_path: Path
) -> None:
    path = tmp_path / "summary.json"
    path.write_bytes(content)
    result = cli(command, str(path))
    assert result.exit_code == 2
    assert result.out == ""
    assert result.err.startswith(f"foundry-conformance {command}: ")
    assert message in result.err
    assert result.err.count("\n") == 1, result.err
    no_traceback(result.err)


@pytest.mark.parametrize("command", ["report", "ticket"])
def test_a_truncated_summary_says_it_may_be_truncated(
    command: str, cli: Callable[..., Cli], tmp_path: Path
) -> None:
    text = json.dumps(_real_summary(), indent=2)
    path = tmp_path / "summary.json"
    path.write_text(text[: len(text) // 2], "utf-8")
    result = cli(command, str(path))
    assert result.exit_code == 2
    assert "is not JSON" in result.err and "is it truncated?" in result.err
    no_traceback(result.err)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("duration_s",), "abc"),
        (("token_claims",), "x"),
        (("checks", 1, "evidence"), [5]),
        (("checks",), {"a": 1}),
        (("usage",), 5),
        (("target",), None),
    ],
    ids=["duration-text", "claims-text", "evidence-int", "checks-object", "usage-int", "no-target"],
)
@pytest.mark.parametrize("command", ["report", "ticket"])
def test_a_summary_with_a_value_of_the_wrong_type_is_bad_input(
    command: str,
    path: tuple[str | int, ...],
    value: object,
    cli: Callable[..., Cli],
    tmp_path: Path,
) -> None:
    data = _real_summary()
    _set_at(data, path, value)
    file = tmp_path / "summary.json"
    file.write_text(json.dumps(data), "utf-8")
    result = cli(command, str(file))
    assert result.exit_code == 2, result.out[:300]
    assert "give the summary.json a run wrote, unedited" in result.err  # the fix
    assert result.err.count("\n") == 1, result.err
    no_traceback(result.err)


def _set_at(data: Any, path: tuple[str | int, ...], value: object) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(data: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path to a value in ``data``."""
    found: list[tuple[str | int, ...]] = []
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, value in items:
        found.append((*prefix, key))
        found.extend(_paths(value, (*prefix, key)))
    return found


SUMMARY_PATHS = _paths(_real_summary())


@given(path=st.sampled_from(SUMMARY_PATHS), value=JSON_VALUES)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_field_of_a_summary_broken_any_way_is_rendered_or_refused(
    path: tuple[str | int, ...], value: object, cli: Callable[..., Cli], tmp_path: Path
) -> None:
    """Whatever one field holds, ``report`` and ``ticket`` answer 0 or 2, never a traceback."""
    data = _real_summary()
    _set_at(data, path, value)
    file = tmp_path / "summary.json"
    file.write_text(json.dumps(data), "utf-8")
    for command in (
        ("report", str(file), "--out", str(tmp_path / "page.html")),
        ("ticket", str(file)),
    ):
        result = cli(*command)
        assert result.exit_code in (0, 2), (path, value, result.err)
        if result.exit_code == 2:
            assert result.err.count("\n") == 1, result.err
        no_traceback(result.err)

"""The command line's own mistakes: the usage of the command they were made in, the nearest real
name, exit 2; and the help that lists the emulator's fault profiles from their catalog."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from conformance.cli.main import main
from conformance.core.faults import FAULT_PROFILES


@dataclass
class Said:
    """What one command line printed, and its exit status."""

    code: int
    out: str
    err: str


@pytest.fixture
def say(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> type[Said]:
    """``say(*argv)``: run ``foundry-conformance ARGV`` in-process (80 columns, like a terminal)."""
    monkeypatch.setenv("COLUMNS", "80")

    class Run(Said):
        def __init__(self, *argv: str) -> None:
            try:
                code = main(list(argv))
            except SystemExit as exc:  # argparse exits from inside the parser
                code = int(exc.code or 0)
            captured = capsys.readouterr()
            super().__init__(code, captured.out, captured.err)

    return Run


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("argv", "usage", "error"),
    [
        (("run", "--sute", "smoke"), "foundry-conformance run",
         "foundry-conformance run: error: unrecognized arguments: --sute smoke; "
         "did you mean --suite?"),
        (("run", "--base_url", "http://127.0.0.1:1/anthropic/"), "foundry-conformance run",
         "foundry-conformance run: error: unrecognized arguments: --base_url "
         "http://127.0.0.1:1/anthropic/; did you mean --base-url?"),
        (("run", "--sute", "x", "--jbos=2"), "foundry-conformance run",
         "foundry-conformance run: error: unrecognized arguments: --sute x --jbos=2; "
         "did you mean --suite (not --sute) and --jobs (not --jbos)?"),
        (("emulator", "--prot", "3"), "foundry-conformance emulator",
         "foundry-conformance emulator: error: unrecognized arguments: --prot 3; "
         "did you mean --port?"),
        (("emulator", "--port", "abc"), "foundry-conformance emulator",
         "foundry-conformance emulator: error: argument --port: invalid int value: 'abc'"),
        (("report", "--otu", "x.html"), "foundry-conformance report",
         "foundry-conformance report: error: unrecognized arguments: --otu; did you mean --out?"),
        (("ticket", "--zzz"), "foundry-conformance ticket",
         "foundry-conformance ticket: error: unrecognized arguments: --zzz"),
        (("rn",), "foundry-conformance",
         "foundry-conformance: error: argument COMMAND: invalid choice: 'rn' "
         "(choose from run, emulator, ticket, report); did you mean run?"),
        (("tickets",), "foundry-conformance",
         "foundry-conformance: error: argument COMMAND: invalid choice: 'tickets' "
         "(choose from run, emulator, ticket, report); did you mean ticket?"),
        (("lint",), "foundry-conformance",
         "foundry-conformance: error: argument COMMAND: invalid choice: 'lint' "
         "(choose from run, emulator, ticket, report)"),
        (("--verson",), "foundry-conformance",
         "foundry-conformance: error: unrecognized arguments: --verson; did you mean --version?"),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, tuple) else None,
)  # fmt: skip
def test_a_mistake_gets_its_commands_usage_and_the_nearest_name(
    argv: tuple[str, ...], usage: str, error: str, say: type[Said]
) -> None:
    said = say(*argv)
    assert said.code == 2
    assert said.out == ""
    assert said.err.startswith(f"usage: {usage} [-h]"), said.err
    assert said.err.endswith(f"\n{error}\n(see `{usage} --help`)\n"), said.err


def test_a_subcommand_usage_is_its_own_not_the_top_levels(say: type[Said]) -> None:
    said = say("run", "--no-such-flag")
    assert "COMMAND ..." not in said.err  # the top level's usage line
    assert "[--base-url URL]" in said.err  # run's


@pytest.mark.parametrize(("command", "option"), [("emulator", "--profile"), ("run", "--emulator")])
def test_the_help_lists_every_fault_profile_with_what_it_does(
    command: str, option: str, say: type[Said]
) -> None:
    said = say(command, "--help")
    assert said.code == 0
    help_text = _flat(said.out)
    assert f"fault profiles (they combine: {option} api-key-rejected,slow=0.5):" in help_text
    for profile in FAULT_PROFILES:
        assert f" {profile.usage_name} {profile.summary}" in help_text, profile.name
    assert "listed below)" in help_text  # the option's own help points at the list
    listing = said.out[said.out.index("fault profiles (") :].splitlines()
    assert max(map(len, listing)) <= 79


def test_the_unknown_profile_error_points_at_a_help_that_lists_them(say: type[Said]) -> None:
    said = say("run", "--emulator", "api-key-rejectd")
    assert said.code == 2
    assert "unknown emulator profile 'api-key-rejectd'; did you mean api-key-rejected?" in said.err
    pointed = re.search(r"`(foundry-conformance [a-z]+ --help)` lists them", said.err)
    assert pointed is not None, said.err
    listing = _flat(say(*pointed.group(1).split()[1:]).out)
    for profile in FAULT_PROFILES:
        assert f" {profile.usage_name} {profile.summary}" in listing, profile.name

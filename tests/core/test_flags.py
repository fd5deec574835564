"""Hints respelled for plain pytest: the command line's flags become the plugin's options."""

from __future__ import annotations

from conformance.core.flags import for_pytest
from conformance.plugin.options import OPTIONS

NAMES = [name for name, _ in OPTIONS]


def test_each_shared_flag_is_spelled_as_the_plugin_option() -> None:
    text = "run it with --suite full (or --select RL-429) and --probe-rate-limit"
    assert for_pytest(text, NAMES) == (
        "run it with --foundry-suite full (or --foundry-select RL-429) and "
        "--foundry-probe-rate-limit"
    )


def test_a_flag_only_the_command_line_has_and_other_words_stay() -> None:
    text = "pass --pytest-arg=-x; --suites is no flag, --suite-x neither; --foundry-suite stays"
    assert for_pytest(text, NAMES) == text


def test_the_longest_name_wins_and_a_flag_with_a_value_is_respelled() -> None:
    assert for_pytest("--max-tokens=500, --max-requests 5", NAMES) == (
        "--foundry-max-tokens=500, --foundry-max-requests 5"
    )
    assert for_pytest("`--auth entra`", NAMES) == "`--foundry-auth entra`"


def test_no_plugin_options_leave_the_text_as_it_is() -> None:
    assert for_pytest("--suite full", []) == "--suite full"

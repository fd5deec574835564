"""The command line's parser and the parts of its help that come from the catalogs.

``Parser`` is argparse that answers a mistake in one paragraph, exit status 2: the usage of the
command the mistake was made in (``foundry-conformance run: error: …`` with ``run``'s usage, not
the top level's), and the nearest real option, command or choice. ``profiles_epilog`` lists the
emulator's fault profiles from their catalog (``core.faults``), so the help never lags behind it.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Iterable
from typing import Any, NoReturn

from ..core.faults import FAULT_PROFILES
from ..core.suggest import closest, did_you_mean

# The help is read in a terminal; argparse wraps its own parts to the terminal, an epilog not.
HELP_WIDTH = 79


class Parser(argparse.ArgumentParser):
    """argparse that exits 2 with a one-paragraph message and the fix, never a traceback."""

    given: tuple[str, ...] = ()  # the arguments of the last parse, for ``error``

    def error(self, message: str) -> NoReturn:
        unknown = [a for a in self.given if a.startswith("-") and not self._knows(a)]
        if unknown and message.startswith("the following arguments are required"):
            # argparse checks what is missing before what is unknown; a typo is the likelier cause
            # (`foundry-conformance --verson` lacks a command only because the flag is mistyped).
            message = self._unrecognized(unknown)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n(see `{self.prog} --help`)\n")

    def parse_known_args(
        self, args: Iterable[str] | None = None, namespace: Any = None
    ) -> tuple[Any, list[str]]:
        """Arguments this parser does not know are its error, with its usage: a subcommand's
        parser refuses them itself instead of handing them up to the top level's usage."""
        self.given = tuple(sys.argv[1:] if args is None else args)
        parsed, extras = super().parse_known_args(self.given, namespace)
        if extras:
            self.error(self._unrecognized(extras))
        return parsed, extras

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        """A value outside ``choices`` names the choices and the nearest one (argparse's own
        wording differs between Python versions; this one does not)."""
        if action.choices is None or value in action.choices:
            return
        names = [str(choice) for choice in action.choices]
        message = f"invalid choice: {str(value)!r} (choose from {', '.join(names)})"
        hint = did_you_mean(str(value), names)
        raise argparse.ArgumentError(action, f"{message}; {hint}" if hint else message)

    def _knows(self, argument: str) -> bool:
        """Whether ``argument`` is one of this parser's options (or a prefix argparse accepts)."""
        given = argument.split("=", 1)[0]
        return any(name.startswith(given) for a in self._actions for name in a.option_strings)

    def _unrecognized(self, extras: list[str]) -> str:
        """``unrecognized arguments: --sute smoke; did you mean --suite?``."""
        options = [name for action in self._actions for name in action.option_strings]
        near = []
        for extra in extras:
            given = extra.split("=", 1)[0]
            match = closest(given, options) if given.startswith("-") else None
            if match is not None:
                near.append((given, match))
        message = f"unrecognized arguments: {' '.join(extras)}"
        if len(near) == 1:
            return f"{message}; did you mean {near[0][1]}?"
        if near:
            return (
                f"{message}; did you mean " + " and ".join(f"{m} (not {g})" for g, m in near) + "?"
            )
        return message


def profiles_epilog(option: str) -> str:
    """The fault profiles, name and one line each, for the help of ``option``."""
    names = [profile.usage_name for profile in FAULT_PROFILES]
    column = max(map(len, names)) + 4
    lines = [f"fault profiles (they combine: {option} api-key-rejected,slow=0.5):"]
    for name, profile in zip(names, FAULT_PROFILES, strict=True):
        wrapped = textwrap.wrap(profile.summary, HELP_WIDTH - column, break_on_hyphens=False)
        lines.append(f"  {name:<{column - 2}}{wrapped[0]}")
        lines += [" " * column + more for more in wrapped[1:]]
    return "\n".join(lines) + "\n"

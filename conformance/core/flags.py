"""A hint's flags spelled for the interface in use (pure).

Every hint, skip reason and remedy of the harness names the command line's flags (``--suite
full``, ``--auth entra``), written once. Under plain pytest the same settings are the plugin's
``--foundry-*`` options; ``for_pytest`` respells a text for that reader, so that what it says to
type is what works where it is read. Only the flags both interfaces share are respelled: a
flag the plugin does not have (``--pytest-arg``) stays as it is, as does any other word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

PLUGIN_PREFIX = "--foundry-"


def for_pytest(text: str, plugin_options: Iterable[str]) -> str:
    """``text`` with each command-line flag spelled as the plugin option that takes its place
    (``--suite full`` → ``--foundry-suite full``); ``plugin_options`` are the plugin's names."""
    pattern = _pattern(tuple(sorted(plugin_options)))
    if pattern is None:
        return text
    return pattern.sub(lambda m: PLUGIN_PREFIX + m.group(1), text)


@cache
def _pattern(plugin_options: tuple[str, ...]) -> re.Pattern[str] | None:
    names = [o.removeprefix(PLUGIN_PREFIX) for o in plugin_options if o.startswith(PLUGIN_PREFIX)]
    if not names:
        return None
    # The longest first, so that --max-tokens is not read as --max-t… of a shorter name; never
    # inside a longer word or flag (--foundry-suite stays, --suite-x is not --suite).
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])--({alternatives})(?![\w-])")

"""``junit.xml`` and ``pytest-report.html``, which pytest's own plugins write: into staging files
beside the files asked for, then published after the scan like every other artifact.

When a session collects checks, the plugin points junitxml (its ``LogXML.logfile``) and
pytest-html (its report's ``_report_path``) at staging files in the same directories; they write
there at session finish (pytest-html also as tests end, if ``generate_report_on_test`` says so),
and the recorder then publishes each (``core.publish``: scanned, redacted and scanned again on a
hit, moved into place or withheld) and points the plugin back at the file asked for, so that the
line it prints names that file. A plugin that has no such attribute (another version) writes its
file where it was asked to; that file is moved aside into a staging file once written, and
published from there, so that it is scanned all the same.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..core.publish import Place, Publisher, staging_path

XML_KEY: pytest.StashKey[Any] | None
try:  # The stash key of junitxml's LogXML (as in ``junit_extras``).
    from _pytest.junitxml import xml_key as XML_KEY
except ImportError:  # pragma: no cover - a pytest without it
    XML_KEY = None


@dataclass
class _Redirected:
    """One report plugin pointed at a staging file."""

    owner: Any
    attribute: str
    destination: Path
    staged: Path
    as_text: bool  # junitxml keeps a str, pytest-html a Path


class StagedReports:
    """The session's pytest-written reports, staged until the scan publishes them."""

    def __init__(self) -> None:
        self._redirected: list[_Redirected] = []
        self._in_place: list[Path] = []
        self._done = False
        self._abandoned = False

    def destinations(self, config: pytest.Config) -> list[Place]:
        """Where ``--junitxml`` and ``--html`` ask the reports to go (for the pre-flight)."""
        return [Place(path, source) for source, path in _asked(config).items()]

    def redirect(self, config: pytest.Config) -> None:
        """Point junitxml and pytest-html at staging files (once per session)."""
        if self._redirected or self._in_place:
            return
        asked = _asked(config)
        owners: dict[str, tuple[Any, str, bool]] = {}
        xml = config.stash.get(XML_KEY, None) if XML_KEY is not None else None
        if xml is not None:
            owners["--junitxml"] = (xml, "logfile", True)
        for plugin in config.pluginmanager.get_plugins():
            if type(plugin).__module__.startswith("pytest_html."):
                owners["--html"] = (plugin, "_report_path", False)
        for source, destination in asked.items():
            owner = owners.get(source)
            if owner is None or not self._point(*owner):
                self._in_place.append(destination)

    def _point(self, owner: Any, attribute: str, as_text: bool) -> bool:
        current = getattr(owner, attribute, None)
        if not isinstance(current, str if as_text else Path):
            return False
        destination = Path(current).absolute()
        staged = staging_path(destination)
        setattr(owner, attribute, str(staged) if as_text else staged)
        self._redirected.append(_Redirected(owner, attribute, destination, staged, as_text))
        return True

    def abandon(self) -> None:
        """Publish nothing the plugins write (the run stops before it starts): their staging
        files are removed at ``publish``, and nothing is moved into place."""
        self._abandoned = True

    def publish(self, publisher: Publisher) -> None:
        """Publish what the plugins wrote (once), and point them back at their files."""
        if self._done:
            return
        self._done = True
        for item in self._redirected:
            restored = str(item.destination) if item.as_text else item.destination
            setattr(item.owner, item.attribute, restored)
            if self._abandoned:
                item.staged.unlink(missing_ok=True)
            elif item.staged.is_file():
                publisher.publish_staged(item.staged, item.destination)
        if self._abandoned:
            return
        for destination in self._in_place:
            if destination.is_file():
                staged = staging_path(destination)
                os.replace(destination, staged)
                publisher.publish_staged(staged, destination)


def _asked(config: pytest.Config) -> dict[str, Path]:
    """``--junitxml`` and ``--html`` as absolute paths, as their plugins resolve them."""
    asked = {}
    for option, source in (("xmlpath", "--junitxml"), ("htmlpath", "--html")):
        value = getattr(config.option, option, None)
        if value:
            path = Path(os.path.expandvars(str(value))).expanduser()
            asked[source] = (path if path.is_absolute() else Path.cwd() / path).absolute()
    return asked


STAGED_KEY = pytest.StashKey[StagedReports]()

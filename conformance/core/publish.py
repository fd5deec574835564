"""Write, scan, then publish: the one way an artifact of a run reaches its place, and the check,
before anything is sent, that every such place can take one.

Every artifact — the reports, ``junit.xml`` and ``pytest-report.html``, each cassette and
``metadata.json`` — is written to a staging file beside its destination (same directory: the
final move is one atomic rename), the bytes on disk are scanned for the run's secrets in every
form the redactor knows (``Redactor.contains_secret``), and only a clean file is moved into
place. On a hit the offending spans are redacted — in the document's structure first where its
format allows (JSON here; a caller passes its own, as the cassettes do for YAML), else in its
text — and the result is written and scanned again. What still spells a secret, or what
redaction would leave unreadable, is **withheld**: its staging file is removed, and so is any
version of it this run published before; the ``Publication`` says which and why, never what. A
file name that spells a secret is published under its redacted name.

``preflight`` checks the places before the run sends anything: a directory where a file must
go, a parent that is a file, no permission, no space — each a ``ConfigError`` (exit 2). It
creates nothing: it probes the nearest directory that exists with a staging file it removes.

This is core's one module that touches the file system; the layers above call it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import ConfigError
from .redaction import Redactor, redact_tree

Status = Literal["clean", "redacted", "withheld"]
# A structural redaction: the document with every string redacted, or None if it cannot parse.
Redact = Callable[[str], str | None]
Readable = Callable[[str], bool]

STAGING_SUFFIX = ".staged"
# A run writes a few MB (more with the emulator's huge-body fault in a recording): less free
# space than this fails the run's last step, after every request was paid for.
MIN_FREE_BYTES = 16 * 1024 * 1024
_LONGEST_NAME = 200  # a staging name adds ~20 characters; most file systems allow 255
_sequence = itertools.count()


def staging_path(destination: Path) -> Path:
    """A fresh staging file for ``destination``, in the same directory."""
    name = destination.name
    if len(name.encode("utf-8", "surrogatepass")) > _LONGEST_NAME:
        name = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return destination.with_name(f".{name}.{os.getpid()}-{next(_sequence)}{STAGING_SUFFIX}")


def is_staging_name(name: str) -> bool:
    """Whether ``name`` is a staging file's (one an interrupted run may leave behind)."""
    return name.startswith(".") and name.endswith(STAGING_SUFFIX)


@dataclass(frozen=True)
class Publication:
    """What became of one artifact: where it went (or was to go), and why if not as written."""

    path: Path
    status: Status
    reason: str = ""

    @property
    def published(self) -> bool:
        return self.status != "withheld"


@dataclass(frozen=True)
class Prepared:
    """An artifact staged and screened, not yet in place: ``commit`` or ``discard`` it."""

    staged: Path
    destination: Path  # as the writer asked (its name may spell a secret)
    publication: Publication


class Publisher:
    """Publishes the artifacts of one run with its redactor; remembers what became of each."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self._lock = threading.Lock()
        self._results: dict[Path, Publication] = {}

    @property
    def publications(self) -> list[Publication]:
        """The latest publication of every destination, in the order they were first written."""
        with self._lock:
            return list(self._results.values())

    def publish(
        self,
        destination: Path,
        text: str,
        *,
        redact: Redact | None = None,
        readable: Readable | None = None,
    ) -> Publication:
        """Stage ``text`` beside ``destination``, scan it, and move it into place if clean."""
        return self.commit(self.prepare(destination, text, redact=redact, readable=readable))

    def publish_reporting_scan(
        self,
        destinations: Sequence[Path],
        render: Callable[[list[Publication]], Sequence[str]],
        rounds: int = 3,
    ) -> list[Publication]:
        """Publish artifacts that state what the scan did to them (a summary's ``secret_scan``,
        a fleet index's): ``render`` makes their texts from what the scan is to find in each
        (first: clean); they are screened and made again until what they state is what the
        scan found, ``rounds`` times at most (then what they state is one round behind; what
        they hold is screened all the same)."""
        own = [Publication(destination, "clean") for destination in destinations]
        prepared: list[Prepared] = []
        for round_ in range(rounds):
            texts = render(own)
            prepared = [self.prepare(d, t) for d, t in zip(destinations, texts, strict=True)]
            found = [item.publication for item in prepared]
            if found == own or round_ == rounds - 1:
                break
            for item in prepared:
                self.discard(item)
            own = found
        return [self.commit(item) for item in prepared]

    def publish_staged(
        self,
        staged: Path,
        destination: Path,
        *,
        redact: Redact | None = None,
        readable: Readable | None = None,
    ) -> Publication:
        """Scan a file already written to ``staged`` (by pytest, say) and publish it."""
        return self.commit(self.screen(staged, destination, redact=redact, readable=readable))

    def prepare(
        self,
        destination: Path,
        text: str,
        *,
        redact: Redact | None = None,
        readable: Readable | None = None,
    ) -> Prepared:
        """Stage ``text`` beside ``destination`` and screen it; nothing is in place yet."""
        destination.parent.mkdir(parents=True, exist_ok=True)
        staged = staging_path(destination)
        try:
            _write(staged, text)
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        return self.screen(staged, destination, redact=redact, readable=readable)

    def screen(
        self,
        staged: Path,
        destination: Path,
        *,
        redact: Redact | None = None,
        readable: Readable | None = None,
    ) -> Prepared:
        """Scan the staged file, redact and scan it again on a hit: what publishing it would do."""
        try:
            publication = self._screened(staged, destination, redact, readable)
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        if not publication.published:
            staged.unlink(missing_ok=True)
        return Prepared(staged, destination, publication)

    def commit(self, prepared: Prepared) -> Publication:
        """Move a screened artifact into place (or, withheld, remove what it replaces)."""
        publication = prepared.publication
        try:
            if publication.published:
                os.replace(prepared.staged, publication.path)
            else:
                self._unpublish(prepared.destination)
        finally:
            prepared.staged.unlink(missing_ok=True)
        with self._lock:
            self._results[prepared.destination] = publication
        return publication

    @staticmethod
    def discard(prepared: Prepared) -> None:
        """Drop a screened artifact without publishing it."""
        prepared.staged.unlink(missing_ok=True)

    def _screened(
        self, staged: Path, destination: Path, redact: Redact | None, readable: Readable | None
    ) -> Publication:
        notes = []
        if self.redactor.contains_secret(destination.name):
            destination = destination.with_name(self.redactor.file_name(destination.name))
            notes.append(f"its file name spelled a secret: published as {destination.name}")
        text = _read_text(staged)
        if text is None:
            if self.redactor.contains_secret(staged.read_bytes().decode("latin-1")):
                return _withheld(destination, "it is not UTF-8 text, and it spells a secret")
        elif self.redactor.contains_secret(text):
            cleaned = self._cleaned(destination, text, redact, readable)
            if isinstance(cleaned, Publication):
                return cleaned
            _write(staged, cleaned)
            again = _read_text(staged)
            if again is None or self.redactor.contains_secret(again):
                return _withheld(destination, "a secret it spells remained after redaction")
            notes.insert(0, "the scan found a secret the writers had missed: redacted")
        return Publication(destination, "redacted" if notes else "clean", "; ".join(notes))

    def _cleaned(
        self, destination: Path, text: str, redact: Redact | None, readable: Readable | None
    ) -> str | Publication:
        """``text`` redacted, structurally if it can be, else as text; else why it is withheld."""
        if redact is None and destination.suffix == ".json":
            redact, readable = self._json_redacted, readable or _is_json
        why = "a secret it spells remained after redaction"
        for attempt in [a for a in (redact, self.redactor.stream) if a is not None]:
            try:
                cleaned = attempt(text)
            except (ValueError, RecursionError):
                cleaned = None
            if cleaned is None or self.redactor.contains_secret(cleaned):
                continue
            if readable is None or readable(cleaned):
                return cleaned
            why = "a secret it spells could not be redacted without leaving it unreadable"
        return _withheld(destination, why)

    def _json_redacted(self, text: str) -> str | None:
        try:
            document = json.loads(text)
        except ValueError:
            return None
        redacted = redact_tree(document, self.redactor.text)
        return json.dumps(redacted, indent=2, ensure_ascii=False) + "\n"

    def _unpublish(self, destination: Path) -> None:
        """Remove what this run published at ``destination`` before (never anyone else's)."""
        with self._lock:
            earlier = self._results.get(destination)
        if earlier is not None and earlier.published:
            earlier.path.unlink(missing_ok=True)


def _withheld(destination: Path, reason: str) -> Publication:
    return Publication(destination, "withheld", f"withheld: {reason}")


def _write(path: Path, text: str) -> None:
    # A lone surrogate (from a server's JSON, say) is written as its escape: in a JSON string
    # that is what it was, and the file stays UTF-8.
    with open(path, "w", encoding="utf-8", errors="backslashreplace", newline="") as file:
        file.write(text)


def _read_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


# -- pre-flight ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A file the run will write, and the option that chose where (for the message)."""

    path: Path
    source: str
    given: Path | None = None  # the option's value (the directory), if not the file itself

    @property
    def shown(self) -> str:
        return f"{self.source} {_shown(self.given if self.given is not None else self.path)}"


def preflight(places: Sequence[Place], *, min_free: int = MIN_FREE_BYTES) -> None:
    """``ConfigError`` for the first place a run could not write its artifact to."""
    probed: set[Path] = set()
    for place in places:
        if place.path.is_dir():
            raise ConfigError(
                f"{place.shown}: {_shown(place.path)} is a directory, where the run writes the "
                f"file {place.path.name}.",
                f"Remove or rename that directory, or choose another {place.source}.",
                source=place.source,
            )
        ancestor = _nearest_existing(place.path.parent)
        if not ancestor.is_dir():
            raise ConfigError(
                f"{place.shown} cannot be created ({_shown(ancestor)} is a file, not a directory).",
                f"Choose a directory this user can write to, e.g. {place.source} reports.",
                source=place.source,
            )
        if ancestor not in probed:
            _probe(ancestor, place, min_free)
            probed.add(ancestor)


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _probe(directory: Path, place: Place, min_free: int) -> None:
    """Write and remove a staging file in ``directory``; check the space left there."""
    probe = staging_path(directory / "preflight")
    try:
        descriptor = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        try:
            os.write(descriptor, b"\n")
        finally:
            os.close(descriptor)
        probe.unlink()
        free = shutil.disk_usage(directory).free
    except OSError as exc:
        probe.unlink(missing_ok=True)
        raise ConfigError(
            f"{place.shown} cannot be written: creating a file in {_shown(directory)} failed "
            f"({exc.strerror or exc}).",
            f"Choose a directory this user can write to, e.g. {place.source} reports.",
            source=place.source,
        ) from None
    if free < min_free:
        raise ConfigError(
            f"{place.shown}: the file system of {_shown(directory)} has {free // 1024:,} KiB "
            f"free, and a run's artifacts need up to {min_free // (1024 * 1024)} MiB.",
            f"Free some space there, or choose another {place.source}.",
            source=place.source,
        )


def _shown(path: Path) -> str:
    """A path for a message: as is when plain, quoted when it holds spaces or control
    characters."""
    text = str(path)
    plain = 0 < len(text) <= 200 and all("!" <= ch <= "~" for ch in text)
    return text if plain else repr(text[:200])

"""Write, scan, then publish: nothing reaches its destination that the scan would flag, and the
pre-flight refuses a place no artifact can go to, creating nothing."""

from __future__ import annotations

import base64
import itertools
import json
import os
import random
import shutil
from collections import namedtuple
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conformance.core.errors import ConfigError
from conformance.core.publish import (
    Place,
    Publication,
    Publisher,
    is_staging_name,
    preflight,
    staging_path,
)
from conformance.core.redaction import REDACTED, REDACTED_JWT, Redactor

from .leak_oracle import leaks
from .test_redaction import ENCODINGS, _claimed, _spell, around, secrets

KEY = "canary-key-DO-NOT-LEAK-0a1b2c3d4e5f"


@pytest.fixture
def publisher() -> Publisher:
    return Publisher(Redactor([KEY]))


def _left(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_a_clean_text_is_moved_into_place_and_no_staging_file_is_left(
    publisher: Publisher, tmp_path: Path
) -> None:
    done = publisher.publish(tmp_path / "out" / "summary.json", '{"ok": true}\n')
    assert (done.status, done.reason, done.path) == ("clean", "", tmp_path / "out" / "summary.json")
    assert _left(tmp_path / "out") == ["summary.json"]
    assert publisher.publications == [done]


def test_json_is_redacted_in_its_structure_and_stays_json(
    publisher: Publisher, tmp_path: Path
) -> None:
    document = {"error": {"message": f"bad key {KEY.upper()}", KEY: [KEY.encode().hex()]}}
    done = publisher.publish(tmp_path / "metadata.json", json.dumps(document))
    assert done.status == "redacted"
    assert done.reason == "the scan found a secret the writers had missed: redacted"
    text = (tmp_path / "metadata.json").read_text()
    assert leaks(text, KEY) == []
    assert json.loads(text) == {
        "error": {"message": "bad key [REDACTED]", "[REDACTED]": ["[REDACTED]"]}
    }


def test_other_text_is_redacted_in_its_text(publisher: Publisher, tmp_path: Path) -> None:
    blob = base64.b64encode(b"xy" + KEY.encode() + b"z").decode()
    done = publisher.publish(tmp_path / "t.md", f"a {blob} b &#{ord(KEY[0])};{KEY[1:]} c\n")
    assert done.status == "redacted"
    assert leaks((tmp_path / "t.md").read_text(), KEY) == []


def test_a_redaction_that_leaves_it_unreadable_withholds_it(
    publisher: Publisher, tmp_path: Path
) -> None:
    earlier = publisher.publish(tmp_path / "c.yaml", "version: 1\n")
    assert earlier.status == "clean"
    done = publisher.publish(
        tmp_path / "c.yaml", f"body: {KEY}\n", redact=lambda _: None, readable=lambda _: False
    )
    assert done.status == "withheld"
    assert done.reason == (
        "withheld: a secret it spells could not be redacted without leaving it unreadable"
    )
    assert _left(tmp_path) == []  # the earlier version this run published is gone too
    assert publisher.publications == [done]


def test_a_withheld_file_never_removes_one_this_run_did_not_publish(
    publisher: Publisher, tmp_path: Path
) -> None:
    (tmp_path / "c.yaml").write_text("someone else's\n")
    staged = tmp_path / ".c.yaml.x.staged"
    staged.write_bytes(b"\xff" + KEY.encode())
    assert publisher.publish_staged(staged, tmp_path / "c.yaml").status == "withheld"
    assert _left(tmp_path) == ["c.yaml"]
    assert (tmp_path / "c.yaml").read_text() == "someone else's\n"


def test_a_name_that_spells_a_secret_is_published_under_its_redacted_name(
    publisher: Publisher, tmp_path: Path
) -> None:
    done = publisher.publish(tmp_path / f"DEP-SERVES[{KEY}].yaml", "version: 1\n")
    assert done.status == "redacted"
    assert done.path.name == "DEP-SERVES[[REDACTED]].yaml"
    assert "its file name spelled a secret: published as" in done.reason
    assert _left(tmp_path) == [done.path.name]


def test_staging_files_sit_beside_their_destination_and_are_recognised(tmp_path: Path) -> None:
    staged = staging_path(tmp_path / "junit.xml")
    assert staged.parent == tmp_path and is_staging_name(staged.name)
    assert staged != staging_path(tmp_path / "junit.xml")
    long = staging_path(tmp_path / ("x" * 250 + ".yaml"))
    assert len(long.name) < 60 and is_staging_name(long.name)
    assert not is_staging_name("junit.xml")


def test_a_lone_surrogate_is_written_as_its_escape_and_the_file_stays_utf8(
    publisher: Publisher, tmp_path: Path
) -> None:
    publisher.publish(tmp_path / "s.json", json.dumps({"m": "\ud800"}, ensure_ascii=False))
    assert json.loads((tmp_path / "s.json").read_bytes().decode("utf-8")) == {"m": "\ud800"}


# -- pre-flight ------------------------------------------------------------------------------


def _place(path: Path) -> Place:
    return Place(path, "--report-dir", path.parent)


def test_places_that_can_be_written_pass_and_nothing_is_created(tmp_path: Path) -> None:
    preflight([_place(tmp_path / "new" / "deeper" / "summary.json")])
    assert _left(tmp_path) == []


def test_a_directory_where_the_file_must_go_is_refused(tmp_path: Path) -> None:
    (tmp_path / "summary.json").mkdir()
    with pytest.raises(ConfigError) as caught:
        preflight([_place(tmp_path / "summary.json")])
    assert str(caught.value) == (
        f"--report-dir {tmp_path}: {tmp_path}/summary.json is a directory, where the run writes "
        "the file summary.json. Remove or rename that directory, or choose another --report-dir."
    )


def test_a_parent_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(ConfigError, match=r"cannot be created \(.*/a-file is a file, not a dir"):
        preflight([_place(tmp_path / "a-file" / "reports" / "summary.json")])


def test_a_directory_that_refuses_files_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: object, *args: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(ConfigError) as caught:
        preflight([_place(tmp_path / "r" / "summary.json")])
    assert str(caught.value).startswith(
        f"--report-dir {tmp_path}/r cannot be written: creating a file in {tmp_path} failed "
        "(Permission denied)."
    )


def test_a_full_file_system_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 4096, 4096))
    with pytest.raises(ConfigError) as caught:
        preflight([_place(tmp_path / "summary.json")])
    assert f"the file system of {tmp_path} has 4 KiB free" in str(caught.value)
    assert _left(tmp_path) == []  # the probe is gone


# -- property: what the writers missed, the scan removes --------------------------------------
#
# The writers redact at the source; the scan is the last net. Here it is the only one: random
# secrets, spelled in random ways (the redactor's own property strategies), are written raw into
# a JSON document, an HTML page, a Markdown file and a YAML cassette, and published. Whatever is
# published holds no spelling of the secret by the independent oracle; nothing clean is claimed.

_examples = itertools.count()
FORMATS = {
    # A JSON spelling is the text of a JSON string as it is; any other is what json.dumps makes
    # of the value it is inside of.
    "summary.json": lambda spelled, raw: (
        '{"checks": [{"reason": "said ' + spelled + '"}]}'
        if raw
        else json.dumps({"checks": [{"reason": f"said {spelled}"}]})
    ),
    "diagnosis.html": lambda spelled, _: f"<html><body><pre>{spelled}</pre></body></html>\n",
    "support-ticket.md": lambda spelled, _: f"# Ticket\n\n- the answer: `{spelled}`\n",
    "MSG-BASIC.yaml": lambda spelled, _: f"interactions:\n- response:\n    body: '{spelled}'\n",
}


@given(secret=secrets, before=around, after=around, rnd=st.randoms(use_true_random=False))
@settings(
    max_examples=1_000,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_no_artifact_published_holds_a_spelling_of_a_random_secret(
    secret: str, before: str, after: str, rnd: random.Random, tmp_path: Path
) -> None:
    encoding = rnd.choice(sorted(ENCODINGS))
    assume(_claimed(secret, encoding))
    spelled = before + _spell(secret, encoding, rnd) + after
    assume(REDACTED not in spelled and REDACTED_JWT not in spelled)
    name = rnd.choice(sorted(FORMATS))
    publisher = Publisher(Redactor([secret]))
    destination = tmp_path / f"example-{next(_examples)}" / name
    done = publisher.publish(destination, FORMATS[name](spelled, encoding.startswith("JSON")))
    assert done.status != "clean", (encoding, spelled)
    published = list(destination.parent.iterdir())
    if done.published:
        assert published == [done.path]
        text = done.path.read_bytes().decode("latin-1")
        assert leaks(text, secret) == [], (encoding, name, text)
    else:
        assert published == []


def test_artifacts_that_state_their_scan_are_rendered_until_it_agrees(
    publisher: Publisher, tmp_path: Path
) -> None:
    # A report that quotes the key: rendered first as clean, found to need redacting, rendered
    # again saying so, which the scan confirms.
    destination = tmp_path / "summary.json"
    stated: list[str] = []

    def render(own: list[Publication]) -> list[str]:
        stated.append(own[0].status)
        return [f'{{"scan": "{own[0].status}", "echo": "{KEY}"}}']

    (published,) = publisher.publish_reporting_scan([destination], render)
    assert stated == ["clean", "redacted"]
    assert published.status == "redacted"
    assert json.loads(destination.read_text("utf-8")) == {"scan": "redacted", "echo": REDACTED}


def test_artifacts_whose_scan_never_agrees_are_published_after_the_last_round(
    publisher: Publisher, tmp_path: Path
) -> None:
    # A statement that flips what the scan finds each time (a clean one spells the key): after
    # the last round its text is published, screened, one round behind — nothing is lost.
    destination = tmp_path / "index.html"

    def render(own: list[Publication]) -> list[str]:
        return [f"scan {own[0].status}: {KEY if own[0].status == 'clean' else 'none'}"]

    (published,) = publisher.publish_reporting_scan([destination], render, rounds=3)
    assert published.status == "redacted"
    assert destination.read_text("utf-8") == f"scan clean: {REDACTED}"
    assert _left(tmp_path) == ["index.html"]

"""Cassettes read as untrusted input: a size limit, a safe loader, and budgets for aliases, their
expansion and depth, so that a kilobyte of YAML alias bomb is one clear ``CassetteError``."""

from __future__ import annotations

import shutil
import time
import tracemalloc
from pathlib import Path

import pytest
from vcr.request import Request as VcrRequest
from vcr.serialize import serialize
from vcr.serializers import yamlserializer

from conformance.core.errors import CassetteError
from conformance.recording.files import (
    MAX_CASSETTE_ALIASES,
    MAX_CASSETTE_DEPTH,
    SERIALIZER,
    read_cassette,
)

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "cassettes" / "emulator-default"
RERECORD = "Re-record the set (foundry-conformance run --mode record --cassettes DIR)."
ENTRY = """\
interactions:
- request:
    method: POST
    uri: https://x/anthropic/v1/messages
    body: '{{}}'
    headers: {{x-lol: {headers}}}
  response:
    status: {{code: 200, message: OK}}
    headers: {{}}
    body: {{string: '{{}}'}}
version: 1
"""


def billion_laughs(levels: int = 9) -> str:
    """The classic bomb, under a kilobyte: ten aliases per level, 10**levels strings expanded."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n" + ENTRY.format(headers=f"*a{levels}")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "MSG-BASIC.yaml"
    path.write_text(text, "utf-8")
    return path


def refused(path: Path) -> str:
    with pytest.raises(CassetteError) as caught:
        read_cassette(path)
    message = str(caught.value)
    assert message.startswith(f"The cassette {path} cannot be replayed: "), message
    assert "re-record the set" in message.lower()
    return message


def test_every_shipped_cassette_is_read() -> None:
    files = sorted(SHIPPED.glob("*.yaml"))
    assert files
    assert sum(len(read_cassette(path)) for path in files) >= len(files) - 2


def test_a_cassette_vcrpy_itself_wrote_is_read(tmp_path: Path) -> None:
    """vcrpy's own writer (bytes bodies as !!binary, its headers as lists) stays readable."""
    request = VcrRequest("POST", "https://x/anthropic/v1/messages", b'{"a": 1}', {"a": ["b"]})
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"content-type": ["application/json"]},
        "body": {"string": b'{"ok": true}'},
    }
    text = serialize({"requests": [request], "responses": [response]}, yamlserializer)
    [(read_request, read_response)] = read_cassette(write(tmp_path, text))
    assert read_request.body == b'{"a": 1}'
    assert read_response["body"]["string"] == b'{"ok": true}'


def test_the_benign_python_tags_of_vcrpy_are_plain_data() -> None:
    data = SERIALIZER.deserialize("a: !!python/tuple [1, 2]\nb: !!python/str text\n")
    assert data == {"a": (1, 2), "b": "text"}


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['true']",
        "!!python/name:os.system",
        "!!python/object:x.Y {}",
    ],
)
def test_a_python_object_tag_is_refused_not_constructed(tag: str, tmp_path: Path) -> None:
    message = refused(write(tmp_path, f"a: {tag}\ninteractions: []\nversion: 1\n"))
    assert "it is not valid YAML (could not determine a constructor for the tag" in message


def test_a_billion_laughs_is_refused_at_once_without_expanding(tmp_path: Path) -> None:
    path = write(tmp_path, billion_laughs())
    assert path.stat().st_size < 1024
    tracemalloc.start()
    start = time.process_time()
    try:
        message = refused(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.process_time() - start < 2  # expanded, it is 10**9 strings
    assert peak < 8 * 1024 * 1024
    assert (
        "it uses 91 YAML aliases that expand to over 1,000,000 nodes: it is not a cassette this "
        f"harness wrote. {RERECORD}"
    ) in message


def test_a_small_expansion_is_allowed(tmp_path: Path) -> None:
    """A few aliases of copied data (a hand-merged file) are not a bomb."""
    text = "h: &h [a, b, c]\n" + ENTRY.format(headers="*h")
    [(request, _)] = read_cassette(write(tmp_path, text))
    assert "x-lol" in request.headers


def test_too_many_aliases_are_counted_and_refused(tmp_path: Path) -> None:
    many = MAX_CASSETTE_ALIASES + 500
    text = "a: &a x\nb: [" + ",".join(["*a"] * many) + "]\n" + ENTRY.format(headers="x")
    message = refused(write(tmp_path, text))
    assert f"it uses {many} YAML aliases (limit {MAX_CASSETTE_ALIASES}): it is not a cassette" in (
        message
    )


def test_an_alias_inside_its_own_node_is_refused(tmp_path: Path) -> None:
    message = refused(write(tmp_path, "a: &loop [1, *loop]\n" + ENTRY.format(headers="x")))
    assert "a YAML alias (*loop) refers to the node it is inside, a loop" in message


@pytest.mark.parametrize("depth", [MAX_CASSETTE_DEPTH + 1, 900, 100_000])
def test_yaml_nested_too_deep_is_refused(depth: int, tmp_path: Path) -> None:
    message = refused(
        write(tmp_path, "deep: " + "[" * depth + "]" * depth + "\n" + ENTRY.format(headers="x"))
    )
    assert (
        f"its YAML nests deeper than {MAX_CASSETTE_DEPTH} levels" in message
        or "exceeded maximum nesting depth" in message  # libyaml's own limit, at 1000
    )


def test_a_cassette_larger_than_the_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("conformance.recording.files.MAX_CASSETTE_BYTES", 1024 * 1024)
    path = write(tmp_path, ENTRY.format(headers="x") + "#" * (2 * 1024 * 1024) + "\n")
    assert "it is more than 1 MiB, far more than any recording" in refused(path)


def test_a_cassette_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "MSG-BASIC.yaml"
    path.write_bytes(ENTRY.format(headers="x").encode() + b"\xff\n")
    assert "it is not UTF-8 text" in refused(path)


def test_a_shipped_set_with_one_bomb_keeps_the_others_readable(tmp_path: Path) -> None:
    cassettes = Path(shutil.copytree(SHIPPED, tmp_path / "set"))
    (cassettes / "MSG-BASIC.yaml").write_text(billion_laughs(), "utf-8")
    assert "YAML aliases" in refused(cassettes / "MSG-BASIC.yaml")
    assert read_cassette(cassettes / "MSG-STREAM.yaml")


def test_an_alias_to_no_anchor_is_invalid_yaml(tmp_path: Path) -> None:
    message = refused(write(tmp_path, ENTRY.format(headers="*nowhere")))
    assert "it is not valid YAML (found undefined alias 'nowhere' at line 6, column 22)" in message

"""``report`` and ``ticket`` fuzzed with Hypothesis: summaries of the model's shape holding random
values (any text, lone surrogates, huge integers, NaN, a field dropped or replaced by random JSON),
and documents of random JSON. Every outcome is exit 0 with the output written, or exit 2 with one
paragraph naming the file; never a traceback."""

from __future__ import annotations

import dataclasses
import json
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conformance.cli.main import main
from conformance.summary.model import SCHEMA, VERDICTS, RunSummary

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Clean values are of their field's type and within its range; wild ones need not be.
CLEAN_TEXT = st.text(max_size=24)
WILD_TEXT = CLEAN_TEXT | st.text(
    st.characters(categories=["Cs", "Ll", "Nd", "Zs", "Cc"]), max_size=4
)
CLEAN_INTEGERS = st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1)
WILD_INTEGERS = CLEAN_INTEGERS | st.integers()
CLEAN_NUMBERS = CLEAN_INTEGERS | st.floats(allow_nan=False, allow_infinity=False)
WILD_NUMBERS = WILD_INTEGERS | st.floats()
JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | WILD_NUMBERS | WILD_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(WILD_TEXT, inner, max_size=4),
    max_leaves=12,
)


def of_type(hint: Any, wild: bool) -> st.SearchStrategy[Any]:
    """Values of the model's type ``hint``, random within the type (and its range, unless wild)."""
    text = WILD_TEXT if wild else CLEAN_TEXT
    if hint is Any:
        return JSON
    if hint is str:
        return text
    if hint is bool:
        return st.booleans()
    if hint is int:
        return WILD_INTEGERS if wild else CLEAN_INTEGERS
    if hint is float:
        return WILD_NUMBERS if wild else CLEAN_NUMBERS
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        return st.one_of([st.none() if a is type(None) else of_type(a, wild) for a in args])
    if origin is list:
        return st.lists(of_type(args[0], wild), max_size=3)
    if origin is dict:
        return st.dictionaries(text, of_type(args[1], wild), max_size=3)
    assert dataclasses.is_dataclass(hint), hint
    hints = get_type_hints(hint)
    return st.fixed_dictionaries(
        {
            f.name: of_type(hints[f.name], wild)
            for f in dataclasses.fields(hint)
            if f.name != "schema"
        }
    )


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    found = []
    for key, value in items:
        found.append((*prefix, key))
        found.extend(_paths(value, (*prefix, key)))
    return found


@st.composite
def summaries(draw: st.DrawFn) -> dict[str, Any]:
    """A document of the summary's shape, its values random, sometimes one part broken."""
    wild = draw(st.sampled_from([False, False, False, True]))
    data: dict[str, Any] = {"schema": SCHEMA, **draw(of_type(RunSummary, wild))}
    data["verdict"] = draw(
        st.sampled_from(VERDICTS) | WILD_TEXT if wild else st.sampled_from(VERDICTS)
    )
    paths = _paths(data)
    breakage = draw(st.sampled_from(["none", "none", "none", "drop", "replace"]))
    if breakage != "none" and paths:
        path = draw(st.sampled_from(paths))
        parent: Any = data
        for key in path[:-1]:
            parent = parent[key]
        if breakage == "drop":
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON)
    return data


def _encoded(data: Any, ascii_only: bool) -> bytes:
    # Escaped (\ud800) or raw (bytes that are not UTF-8): a lone surrogate reaches the file both ways.
    return json.dumps(data, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


@pytest.fixture
def both(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[[bytes], list[int]]:
    """Run ``report`` and ``ticket`` on a file of ``content``; assert each ended cleanly."""
    path, page = tmp_path / "summary.json", tmp_path / "page.html"

    def run(content: bytes) -> list[int]:
        path.write_bytes(content)
        page.unlink(missing_ok=True)
        codes = []
        for command in (["report", str(path), "--out", str(page)], ["ticket", str(path)]):
            code = main(command)
            captured = capsys.readouterr()
            assert "Traceback" not in captured.err + captured.out, captured.err
            if code == 0:
                assert captured.err == ""
                assert page.is_file() if command[0] == "report" else captured.out
            else:
                assert code == 2, (command, code, captured.err)
                assert captured.out == ""
                assert captured.err.startswith(f"foundry-conformance {command[0]}: {path}")
                assert captured.err.count("\n") == 1, captured.err
            codes.append(code)
        assert codes[0] == codes[1], "report and ticket disagree on whether the file is a summary"
        event(f"exit {codes[0]}")
        return codes

    return run


@FUZZ
@given(data=summaries(), ascii_only=st.booleans())
def test_summaries_of_random_values_are_rendered_or_refused(
    data: dict[str, Any], ascii_only: bool, both: Callable[[bytes], list[int]]
) -> None:
    both(_encoded(data, ascii_only))


@FUZZ
@given(data=JSON, ascii_only=st.booleans())
def test_random_json_is_refused(
    data: Any, ascii_only: bool, both: Callable[[bytes], list[int]]
) -> None:
    assert both(_encoded(data, ascii_only)) == [2, 2]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=summaries(), cut=st.floats(min_value=0, max_value=1), junk=st.binary(max_size=8))
def test_truncated_or_garbled_summaries_are_rendered_or_refused(
    data: dict[str, Any], cut: float, junk: bytes, both: Callable[[bytes], list[int]]
) -> None:
    content = _encoded(data, True)
    at = int(len(content) * cut)
    both(content[:at] + junk + content[at + len(junk) :])

"""``closest`` / ``did_you_mean``: the nearest real name, case aside, or nothing."""

from __future__ import annotations

import pytest

from conformance.core.suggest import closest, did_you_mean

OPTIONS = ("--suite", "--select", "--base-url", "--resource", "--jobs", "--help")


@pytest.mark.parametrize(
    ("word", "expected"),
    [("--sute", "--suite"), ("--base_url", "--base-url"), ("--RESOURCE", "--resource"),
     ("--jbos", "--jobs"), ("--zzz", None), ("", None)],
)  # fmt: skip
def test_closest(word: str, expected: str | None) -> None:
    assert closest(word, OPTIONS) == expected


def test_did_you_mean_spells_the_real_name_or_nothing() -> None:
    assert did_you_mean("Smoke", ["smoke", "standard"]) == "did you mean smoke?"
    assert did_you_mean("xyz", ["smoke", "standard"]) == ""
    assert did_you_mean("anything", []) == ""

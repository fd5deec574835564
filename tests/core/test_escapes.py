"""Escapes decoded, and every decoded span mapped back onto whole escapes."""

from __future__ import annotations

from conformance.core.escapes import JSON_ESCAPES, Decoded, escape_families, widen

ASCII = frozenset("abc-/")


def test_each_family_decodes_its_own_escapes_and_leaves_the_others() -> None:
    percent, in_json, in_html, every = (f.pattern for f in escape_families(ASCII | {"&", '"'}))
    text = '%61\\u0062&#99;&#x2d;&amp;\\/\\"'
    assert Decoded(text, percent).text == 'a\\u0062&#99;&#x2d;&amp;\\/\\"'
    assert Decoded(text, in_json).text == '%61b&#99;&#x2d;&amp;/"'
    assert Decoded(text, in_html).text == '%61\\u0062c-&\\/\\"'
    assert Decoded(text, every).text == 'abc-&/"'


def test_only_escapes_of_characters_a_secret_can_hold_are_decoded() -> None:
    percent, in_json, _, _ = (f.pattern for f in escape_families(ASCII))
    # "\\n" and "\\"" spell nothing an ASCII key without them holds: left as they are (cheap).
    assert Decoded('x\\ny\\"', in_json).text == 'x\\ny\\"'
    assert not Decoded("%C3%A9", percent).changed


def test_a_decoded_span_maps_back_onto_whole_escapes() -> None:
    decoded = Decoded("k=%61%62c&n=1", escape_families(ASCII)[0].pattern)
    assert decoded.text == "k=abc&n=1"
    assert decoded.original(2, 5) == (2, 9)  # "abc" is "%61%62c"
    assert decoded.original(3, 4) == (5, 8)  # "b" is "%62"
    assert decoded.original(6, 9) == (10, 13)  # after the escapes, offsets shift back


def test_multi_byte_and_astral_characters_are_one_character_each() -> None:
    percent = escape_families(frozenset("é"))[0].pattern
    decoded = Decoded("x%C3%A9y", percent)
    assert decoded.text == "xéy"
    assert decoded.original(1, 2) == (1, 7)
    pair = Decoded("a\\ud83d\\ude00b", JSON_ESCAPES)
    assert pair.text == "a\U0001f600b"
    assert pair.original(1, 2) == (1, 13)


def test_a_span_that_would_cut_an_escape_takes_it_whole() -> None:
    assert widen("x%41y", 2, 5) == (1, 5)
    assert widen("\\u00b2", 5, 6) == (0, 6)
    assert widen("a&amp;b", 0, 3) == (0, 6)
    assert widen("plain", 1, 3) == (1, 3)

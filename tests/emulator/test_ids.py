"""Identifiers: the documented formats, and determinism."""

from __future__ import annotations

import re
import uuid

from conformance.emulator.ids import BASE58_ALPHABET, base58, ids_for, request_key

BASE58 = f"[{BASE58_ALPHABET}]"


def test_formats() -> None:
    ids = ids_for(request_key("POST", "/p", b"{}", "x-api-key"), 0)
    assert re.fullmatch(f"req_011C{BASE58}{{20}}", ids.request_id())
    assert re.fullmatch(f"msg_01{BASE58}{{22}}", ids.message_id())
    assert re.fullmatch(f"toolu_01{BASE58}{{22}}", ids.tool_use_id(0))
    assert uuid.UUID(ids.apim_request_id()).version == 4


def test_the_same_request_and_occurrence_give_the_same_ids() -> None:
    key = request_key("POST", "/p", b"{}", "x-api-key")
    assert ids_for(key, 3) == ids_for(key, 3)
    assert ids_for(key, 3).request_id() == ids_for(key, 3).request_id()


def test_anything_different_gives_other_ids() -> None:
    base = ids_for(request_key("POST", "/p", b"{}", "x-api-key"), 0).request_id()
    others = {
        ids_for(request_key("POST", "/p", b"{}", "x-api-key"), 1).request_id(),
        ids_for(request_key("GET", "/p", b"{}", "x-api-key"), 0).request_id(),
        ids_for(request_key("POST", "/q", b"{}", "x-api-key"), 0).request_id(),
        ids_for(request_key("POST", "/p", b"{ }", "x-api-key"), 0).request_id(),
        ids_for(request_key("POST", "/p", b"{}", "authorization"), 0).request_id(),
    }
    assert base not in others
    assert len(others) == 5


def test_fields_cannot_bleed_into_each_other() -> None:
    assert request_key("POST", "/ab", b"", "c") != request_key("POST", "/a", b"", "bc")


def test_base58_has_no_ambiguous_characters() -> None:
    text = base58(bytes(range(32)), 40)
    assert len(text) == 40
    assert not set(text) & set("0OIl")

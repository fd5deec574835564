"""Scrubbing what a cassette keeps: no generated secret survives, evidence does."""

from __future__ import annotations

import base64
import itertools
import string

from hypothesis import assume, given
from hypothesis import strategies as st

from conformance.core.jwt_claims import mint_test_token
from conformance.core.redaction import REDACTED, REDACTED_JWT, Redactor, secret_forms
from conformance.recording.scrub import (
    REDACTED_HOST,
    Scrubber,
    decode_chunks,
    request_headers,
    resource_hosts,
    response_headers,
    split_events,
)

CANARY_KEY = "canary-key-DO-NOT-LEAK-0123456789abcdef"
MARKERS = (REDACTED, REDACTED_JWT, REDACTED_HOST)
secrets = st.text(string.ascii_letters + string.digits + "-_.~+/=", min_size=8, max_size=48)
context = st.text(max_size=40)


def _clean(value: str, secret: str) -> bool:
    return not Redactor([secret]).contains_secret(value)


@given(secret=secrets, before=context, after=context)
def test_no_secret_survives_in_any_part_of_an_exchange(
    secret: str, before: str, after: str
) -> None:
    assume(not any(secret in marker for marker in MARKERS))
    scrub = Scrubber(Redactor([secret]))
    encoded = base64.b64encode(secret.encode()).decode()
    text = f"{before}{secret}{after} {encoded}"
    body = scrub.body(text.encode())
    assert isinstance(body, str)
    headers = scrub.headers([("x-echo", text), ("x-api-key", "whatever"), ("set-cookie", text)])
    url = scrub.url(f"https://h.example/p/{secret}?api-key={secret}&q={before}")
    for value in (body, url, *(v for _, v in headers)):
        assert _clean(value, secret)


@given(secret=secrets, text=context, cuts=st.lists(st.integers(0, 200), max_size=6))
def test_a_secret_split_across_stream_chunks_is_still_scrubbed(
    secret: str, text: str, cuts: list[int]
) -> None:
    assume(not any(secret in marker for marker in MARKERS))
    scrub = Scrubber(Redactor([secret]))
    whole = f"event: x\ndata: {text}{secret}\n\nevent: y\ndata: {secret}\n\n"
    bounds = sorted({0, len(whole), *(c % (len(whole) + 1) for c in cuts)})
    chunks = [whole[a:b] for a, b in itertools.pairwise(bounds) if a < b]
    scrubbed = scrub.chunks(chunks)
    assert "".join(scrubbed) == scrub.text(whole)
    assert all(_clean(chunk, secret) for chunk in scrubbed)


def test_chunks_keep_their_boundaries_when_no_secret_straddles_them() -> None:
    scrub = Scrubber(Redactor([CANARY_KEY]))
    chunks = ["event: a\ndata: 1\n\n", f"event: b\ndata: {CANARY_KEY}\n\n", "event: c\n\n"]
    assert scrub.chunks(chunks) == [chunks[0], f"event: b\ndata: {REDACTED}\n\n", chunks[2]]


def test_jwt_shaped_strings_are_scrubbed_whoever_they_belong_to() -> None:
    token = mint_test_token(extra={"canary": "DO-NOT-LEAK"})
    scrub = Scrubber(Redactor())
    assert token not in scrub.text(f'{{"token": "{token}"}}')
    assert scrub.header("authorization", f"Bearer {token}") == f"Bearer {REDACTED}"


def test_request_ids_are_evidence_and_kept() -> None:
    scrub = Scrubber(Redactor([CANARY_KEY]))
    kept = [("request-id", "req_011CabcdEFGH"), ("apim-request-id", "6a1b2c3d-0000-4000-8000-1")]
    assert scrub.headers(kept) == kept


def test_resource_host_is_replaced_when_asked() -> None:
    hosts = resource_hosts("https://my-res.services.ai.azure.com/anthropic/", "my-res")
    scrub = Scrubber(Redactor(), hosts, "my-res")
    url = scrub.url("https://my-res.services.ai.azure.com/anthropic/v1/messages")
    assert url == f"https://{REDACTED_HOST}/anthropic/v1/messages"
    assert "my-res" not in scrub.text(
        "see https://MY-RES.openai.azure.com/ and my-res.cognitiveservices.azure.com"
    )


def test_binary_bodies_are_scrubbed_byte_for_byte() -> None:
    scrub = Scrubber(Redactor([CANARY_KEY]))
    raw = b"\xff\xfe" + CANARY_KEY.encode() + b"\x80"
    body = scrub.body(raw)
    assert isinstance(body, bytes)
    assert CANARY_KEY.encode() not in body
    assert body.startswith(b"\xff\xfe") and body.endswith(b"\x80")


def test_lengths_are_made_true_and_content_encoding_dropped() -> None:
    headers = [("content-encoding", "gzip"), ("content-length", "10"), ("request-id", "r")]
    assert response_headers(headers, 42) == [("content-length", "42"), ("request-id", "r")]
    assert request_headers([("content-length", "3")], 7) == [("content-length", "7")]


def test_a_character_split_across_chunks_moves_whole_into_the_later_chunk() -> None:
    snow = "❄".encode()
    assert decode_chunks([b"a" + snow[:1], snow[1:] + b"b"]) == ["a", "❄b"]
    assert decode_chunks([b"\xff"]) is None


def test_split_events_loses_nothing() -> None:
    text = "event: a\ndata: 1\n\nevent: b\ndata: 2\n\ntail"
    assert split_events(text) == ["event: a\ndata: 1\n\n", "event: b\ndata: 2\n\n", "tail"]
    assert "".join(split_events(text)) == text


def test_every_form_the_scan_knows_is_scrubbed() -> None:
    scrub = Scrubber(Redactor([CANARY_KEY]))
    for form in secret_forms(CANARY_KEY):
        assert form not in scrub.text(f"x{form}y")

"""Redaction: no secret form survives, evidence does."""

from __future__ import annotations

import base64
import html
import json
import random
import re
import string
from collections.abc import Callable
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conformance.core.jwt_claims import mint_test_token
from conformance.core.redaction import REDACTED, REDACTED_JWT, Redactor, secret_forms
from tests.core.leak_oracle import Oracle, folds, leaks, without_markers

CANARY_KEY = "canary-key-DO-NOT-LEAK-0123456789abcdef"
CANARY_TOKEN = mint_test_token(extra={"canary": "DO-NOT-LEAK"})
# Azure's keys are 32 hex characters; this one says what it is.
CANARY_AZURE_KEY = "c0ffee00deadbeef5ca1ab1efee1900d"
# Every character an escape may stand for: space, '/', '+', '&', '<', '>', '"', "'", '%'.
CANARY_ODD = "canary key/DO+NOT&LEAK<\"'>%41"
CANARY_SHORT = "f4Ke"  # shorter than the scrubber's old minimum of 8, mixed case
REQUEST_IDS = "req_011CeoTSFcdKekJHEddwsoBv 3f2a9c1e-0b7d-4e55-9a51-5b1b8a0f2d11"


def _sse(*events: dict[str, object]) -> str:
    return "".join(
        f"event: {e['type']}\ndata: {json.dumps(e, separators=(',', ':'))}\n\n" for e in events
    )


def _text_deltas(*texts: str) -> str:
    return _sse(
        *(
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": t}}
            for t in texts
        )
    )


def _json_deltas(*parts: str) -> str:
    return _sse(
        *(
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": {"type": "input_json_delta", "partial_json": p},
            }
            for p in parts
        )
    )


def _deltas_of(body: str) -> str:
    """The reassembled text of a stream's deltas; every event must still be JSON."""
    pieces = []
    for line in body.splitlines():
        if line.startswith("data: "):
            delta = json.loads(line[6:]).get("delta", {})
            pieces.append(delta.get("text") or delta.get("partial_json") or "")
    return "".join(pieces)


def test_credential_headers_are_redacted_by_name_whatever_their_value() -> None:
    redactor = Redactor()
    headers = redactor.headers(
        {
            "API-Key": "short",
            "x-api-key": "whatever-it-is",
            "Authorization": "Bearer abc.def",
            "Cookie": "session=1",
            "Set-Cookie": "session=2",
            "request-id": "req_011CabcdEFGH",
        }
    )
    assert headers["api-key"] == REDACTED
    assert headers["x-api-key"] == REDACTED
    assert headers["authorization"] == f"Bearer {REDACTED}"
    assert headers["cookie"] == REDACTED
    assert headers["set-cookie"] == REDACTED
    assert headers["request-id"] == "req_011CabcdEFGH"


def test_exact_secret_values_are_redacted_in_any_header_and_body() -> None:
    redactor = Redactor([CANARY_KEY])
    echoed = redactor.headers({"x-echo": f"you sent {CANARY_KEY}"})
    assert CANARY_KEY not in echoed["x-echo"]
    body = redactor.text(f'{{"error": "bad key {CANARY_KEY}"}}')
    assert CANARY_KEY not in body
    assert REDACTED in body


def test_encoded_forms_of_a_secret_are_redacted() -> None:
    redactor = Redactor([CANARY_KEY + "/+="])
    secret = CANARY_KEY + "/+="
    for form in (quote(secret, safe=""), base64.b64encode(secret.encode()).decode()):
        assert form not in redactor.text(f"prefix {form} suffix")


def test_jwt_shaped_strings_are_redacted_even_when_unknown() -> None:
    redactor = Redactor()
    text = redactor.text(f"token={CANARY_TOKEN} end")
    assert CANARY_TOKEN not in text
    assert REDACTED_JWT in text


def test_url_query_parameters_carrying_keys_are_redacted() -> None:
    redactor = Redactor()
    url = redactor.url(
        "https://x.services.ai.azure.com/anthropic/v1/messages?api-key=abc&beta=true"
    )
    assert "abc" not in url
    assert "beta=true" in url


def test_request_ids_survive_redaction() -> None:
    redactor = Redactor([CANARY_KEY, CANARY_AZURE_KEY, CANARY_ODD])
    assert redactor.text(REQUEST_IDS) == REQUEST_IDS


# -- the rig's leaks: a server that echoes the credential back transformed ----------------------


def _blob(secret: str, encode: Callable[[bytes], bytes]) -> str:
    return encode(b'{"user":"x","echo":"' + secret.encode() + b'","n":1}').decode()


RIG_CASES: dict[str, Callable[[Redactor, str], str]] = {
    "percent-encoded in a Location header's query": lambda r, k: r.headers(
        {"Location": f"https://x.example/cb?echo={quote(k, safe='')}&state=1"}
    )["location"],
    "JSON \\u-escaped in an error body": lambda r, k: r.text(
        '{"error":{"message":"bad key ' + "".join(f"\\u{ord(c):04x}" for c in k) + '"}}'
    ),
    "HTML-escaped in an error page": lambda r, k: r.text(
        "<p>key: " + "".join(f"&#{ord(c)};" for c in k) + "</p>"
    ),
    "base64 at an offset inside a larger blob": lambda r, k: r.text(
        f"state={_blob(k, base64.b64encode)}"
    ),
    "base64url at an offset inside a larger blob": lambda r, k: r.text(
        f"state={_blob(k, base64.urlsafe_b64encode)}"
    ),
    "hex": lambda r, k: r.text(f"trace {k.encode().hex()}"),
    "upper-cased": lambda r, k: r.header_value("x-echo", k.upper()),
    "split across two SSE text_deltas": lambda r, k: _deltas_of(
        r.stream(_text_deltas("Your key is " + k[:9], k[9:] + ", right?"))
    ),
    "cut to a fragment at a length limit": lambda r, k: r.text(
        f'{{"message":"invalid key {k[:20]}…"}}'
    ),
}


@pytest.mark.parametrize("case", RIG_CASES)
@pytest.mark.parametrize("key", [CANARY_KEY, CANARY_AZURE_KEY])
def test_the_rigs_leaks_are_redacted(case: str, key: str) -> None:
    out = RIG_CASES[case](Redactor([key]), key)
    assert REDACTED in out
    assert not leaks(out, key), out


# -- every spelling, one by one -----------------------------------------------------------------


def _every_json_escape(text: str) -> str:
    return "".join(f"\\u{ord(c):04X}" for c in text)


def _some_escapes(text: str, escape: Callable[[str], str]) -> str:
    return "".join(escape(c) if i % 3 == 1 else c for i, c in enumerate(text))


SPELLINGS: dict[str, Callable[[str], str]] = {
    "quote": lambda s: quote(s, safe=""),
    "quote keeping '/'": quote,
    "quote_plus": quote_plus,
    "percent, lower-case hex": lambda s: quote(s, safe="").lower(),
    "percent, some characters": lambda s: _some_escapes(s, lambda c: f"%{ord(c):02X}"),
    "JSON": lambda s: json.dumps(s)[1:-1],
    "JSON escaping '/'": lambda s: json.dumps(s)[1:-1].replace("/", "\\/"),
    "JSON, every character \\u": _every_json_escape,
    "JSON, some characters \\u": lambda s: _some_escapes(s, _every_json_escape),
    "HTML": html.escape,
    "HTML decimal": lambda s: "".join(f"&#{ord(c)};" for c in s),
    "HTML hex": lambda s: "".join(f"&#x{ord(c):x};" for c in s),
    "HTML hex, upper case": lambda s: "".join(f"&#X{ord(c):X};" for c in s),
    "HTML, some characters": lambda s: _some_escapes(s, lambda c: f"&#{ord(c)};"),
    "hex": lambda s: s.encode().hex(),
    "hex, upper case": lambda s: s.encode().hex().upper(),
    **{
        f"base64, {n} bytes in": lambda s, n=n: base64.b64encode(b"x" * n + s.encode()).decode()
        for n in range(3)
    },
    **{
        f"base64url, {n} bytes in": lambda s, n=n: base64.urlsafe_b64encode(
            b"~" * n + s.encode() + b"?"
        ).decode()
        for n in range(3)
    },
    "upper-cased": str.upper,
    "lower-cased": str.lower,
    "a fragment of 12": lambda s: s[5:17],
    "a fragment of 12, percent-encoded": lambda s: quote(s[5:17], safe=""),
    "a fragment, hex": lambda s: s[3:20].encode().hex(),
    "a fragment, base64": lambda s: base64.b64encode(b"zz" + s[4:20].encode()).decode(),
}


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("secret", [CANARY_KEY, CANARY_ODD, CANARY_AZURE_KEY])
def test_each_spelling_of_a_secret_is_redacted(spelling: str, secret: str) -> None:
    redactor = Redactor([secret])
    text = f"before {SPELLINGS[spelling](secret)} after"
    out = redactor.text(text)
    assert redactor.contains_secret(text)
    assert not redactor.contains_secret(out)
    assert not leaks(out, secret), out
    assert out.startswith("before ") and out.endswith(" after")


def test_a_hex_key_is_found_whatever_its_case_and_a_short_mixed_case_one_in_its_own() -> None:
    assert Redactor([CANARY_AZURE_KEY]).text(CANARY_AZURE_KEY.upper()) == REDACTED
    # A hex alphabet has one case of letters: folding cannot blank anything but the key.
    assert Redactor(["c0ffee"]).text("C0FFEE c0ffee C0ffEE") == " ".join([REDACTED] * 3)
    # A short mixed-case key is matched as it is: its case is most of what it has.
    assert Redactor([CANARY_SHORT]).text("f4Ke F4KE f4ke") == f"{REDACTED} F4KE f4ke"
    # From 12 characters on, any case: a folded key gives away all but one bit per letter.
    assert Redactor([CANARY_KEY]).text(CANARY_KEY.swapcase()) == REDACTED


def test_fragments_of_12_characters_are_redacted_and_shorter_ones_are_kept() -> None:
    redactor = Redactor([CANARY_KEY])
    assert redactor.text(f"<{CANARY_KEY[7:19]}>") == f"<{REDACTED}>"
    assert redactor.text(f"<{CANARY_KEY[7:18]}>") == f"<{CANARY_KEY[7:18]}>"
    hexed = CANARY_KEY.encode().hex()
    assert redactor.text(hexed[6:30]) == REDACTED  # 24 digits: 12 bytes
    assert redactor.text(hexed[6:29]) == hexed[6:29]


def test_a_secret_shorter_than_8_characters_is_redacted_everywhere() -> None:
    redactor = Redactor([CANARY_SHORT, "k3y"])
    assert redactor.secrets == {CANARY_SHORT, "k3y"}
    assert redactor.text(f"key {CANARY_SHORT}!") == f"key {REDACTED}!"
    assert redactor.text("%6B%33%79 &#107;3y \\u006b3y") == f"{REDACTED} {REDACTED} {REDACTED}"
    assert redactor.url("https://h.example/v1?q=k3y") == f"https://h.example/v1?q={REDACTED}"
    assert redactor.contains_secret(f"x{CANARY_SHORT}x")
    assert not redactor.contains_secret("f4KE")


def test_a_string_redacted_before_a_secret_was_added_is_redacted_anew_after() -> None:
    # ``text`` remembers what it made of short strings: a token fetched mid-run must not be
    # missed in a string the run had already redacted (a header value, an error body).
    redactor = Redactor([CANARY_KEY])
    echo = f"Bearer {CANARY_AZURE_KEY} was refused"
    long_echo = "x" * 5000 + CANARY_AZURE_KEY
    assert redactor.text(echo) == echo
    assert redactor.text(echo) == echo  # remembered
    assert redactor.text(long_echo) == long_echo  # too long to remember
    redactor.add(CANARY_AZURE_KEY)
    assert redactor.text(echo) == f"Bearer {REDACTED} was refused"
    assert redactor.text(long_echo) == "x" * 5000 + REDACTED


def test_an_html_page_full_of_other_references_keeps_them_and_loses_the_secret() -> None:
    # Only the references of characters a secret could be spelled with are decoded; the page's
    # quotes (&#34;) stay as they are around the one spelled with references, zero-padded or in
    # hex of either case.
    redactor = Redactor([CANARY_KEY])
    spelled = "".join(
        f"&#{ord(c):05d};" if i % 3 == 0 else f"&#x{ord(c):X};" if i % 3 == 1 else f"&#{ord(c)};"
        for i, c in enumerate(CANARY_KEY)
    )
    page = f'<a data-x="&#34;{spelled}&#34;">&#39;&#x22;</a>'
    assert redactor.text(page) == f'<a data-x="&#34;{REDACTED}&#34;">&#39;&#x22;</a>'


def test_a_secret_in_a_header_name_is_redacted() -> None:
    redactor = Redactor([CANARY_KEY, CANARY_SHORT])
    headers = redactor.headers(
        [(f"X-Echo-{CANARY_KEY}", "1"), (f"x-{CANARY_SHORT}", "2"), ("Request-Id", "req_1")]
    )
    assert headers == {"x-echo-[REDACTED]": "1", "x-[REDACTED]": "2", "request-id": "req_1"}


def test_a_secret_in_a_url_query_is_redacted_whatever_the_parameter() -> None:
    redactor = Redactor([CANARY_ODD])
    for url in (
        f"https://h.example/cb?state={quote(CANARY_ODD, safe='')}&n=1",
        f"https://h.example/cb?state={quote_plus(CANARY_ODD)}&n=1",
        f"https://h.example/{quote(CANARY_ODD)}/v1?n=1",
    ):
        out = redactor.url(url)
        assert not leaks(out, CANARY_ODD), out
        assert out.startswith("https://h.example/") and out.endswith("n=1")


def test_a_file_name_component_is_safe_and_holds_no_secret() -> None:
    redactor = Redactor([CANARY_KEY, CANARY_SHORT])
    name = redactor.file_name(f"MSG-BASIC[{CANARY_KEY}/../{CANARY_SHORT}\n]")
    assert name == "MSG-BASIC[[REDACTED]_.._[REDACTED]_]"
    assert redactor.file_name("..") == "_"
    long = redactor.file_name("A" * 300)
    assert len(long) == 120 and long == redactor.file_name("A" * 300)
    assert long != redactor.file_name("A" * 299)
    assert not redactor.contains_secret(redactor.file_name(CANARY_KEY.upper() + ".yaml"))


def test_a_secret_split_across_text_deltas_is_redacted_and_the_stream_stays_valid() -> None:
    redactor = Redactor([CANARY_KEY])
    body = _text_deltas("Sure. ", "Your key is can", "ary-key-DO-NOT-L", "EAK-0123456789abcdef.")
    assert redactor.contains_secret(body)
    out = redactor.stream(body)
    assert _deltas_of(out) == f"Sure. Your key is {REDACTED}."
    assert not redactor.contains_secret(out)
    assert out.count("event: content_block_delta") == 4


def test_a_secret_split_across_input_json_deltas_is_redacted() -> None:
    redactor = Redactor([CANARY_ODD])
    tool_input = json.dumps({"query": f"use {CANARY_ODD} please"})
    cut = tool_input.index("DO+NOT")
    out = redactor.stream(_json_deltas(tool_input[:cut], tool_input[cut:]))
    assert json.loads(_deltas_of(out)) == {"query": f"use {REDACTED} please"}


def test_a_fragment_split_across_deltas_is_redacted() -> None:
    redactor = Redactor([CANARY_KEY])
    out = redactor.stream(_text_deltas("... DO-NOT-", "LEAK-0123 ..."))
    assert _deltas_of(out) == f"... {REDACTED} ..."


def test_markers_are_opaque_to_a_secret_that_spells_part_of_them() -> None:
    redactor = Redactor(["edac"])  # hex, single-case: folds, and "[REDACTED]" holds "EDAC"
    assert (
        redactor.text(f"{REDACTED} {REDACTED_JWT} edac") == f"{REDACTED} {REDACTED_JWT} {REDACTED}"
    )
    assert not redactor.contains_secret(REDACTED + REDACTED_JWT)


def test_a_plain_secret_that_begins_inside_an_escape_takes_the_escape_along() -> None:
    redactor = Redactor(["41-canary-DO-NOT-LEAK"])
    assert redactor.url("https://h.example/?q=%41-canary-DO-NOT-LEAK") == (
        f"https://h.example/?q={REDACTED}"
    )
    assert json.loads('"' + Redactor(["\\canary-DO-NOT-LEAK"]).text("\\\\canary-DO-NOT-LEAK") + '"')


def test_every_form_secret_forms_names_is_found() -> None:
    for secret in (CANARY_KEY, CANARY_ODD, CANARY_AZURE_KEY, CANARY_SHORT):
        redactor = Redactor([secret])
        for form in secret_forms(secret):
            assert redactor.text(f"x{form}y") == f"x{REDACTED}y", form


# -- properties ---------------------------------------------------------------------------------
#
# Random secrets of 1 to 200 characters over three alphabets, each spelled in random ways inside
# random text; the oracle (tests/core/leak_oracle.py) is written apart from the redactor. In all,
# 10,500 random secrets are spelled (8,000 of them three ways each), 1,500 texts hold none, and
# 1,000 sets of request IDs go through untouched; the older properties further down add 1,100.

HEX = "0123456789abcdef"
secrets = (
    st.one_of(
        st.text(HEX, min_size=1, max_size=200),
        st.text(HEX.upper(), min_size=1, max_size=200),
        st.text(string.ascii_letters + string.digits + "+/=-_", min_size=1, max_size=200),
        st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=200),
        # and the characters escapes are made of, which a secret may hold as they are
        st.text('%&#;\\/ux+ 0123456789abcdefABCDEF"-_', min_size=1, max_size=200),
    )
    .map(str.strip)
    .filter(bool)
)
# Around a secret, anything but what the oracle's decoders would read as an escape of their own
# (and so as text the redactor never saw): '%', '&', '\\' and '"'.
around = st.text(
    st.characters(exclude_categories=("Cs", "Cc"), exclude_characters='%&\\"'), max_size=60
)


def _percent_some(text: str, rnd: random.Random) -> str:
    hexcase = rnd.choice(["x", "X"])
    return "".join(
        f"%{ord(c):02{hexcase}}" if c in "%+ " or rnd.random() < 0.5 else c for c in text
    )


def _json_some(text: str, rnd: random.Random) -> str:
    hexcase = rnd.choice(["x", "X"])
    return "".join(
        f"\\u{ord(c):04{hexcase}}" if rnd.random() < 0.5 else json.dumps(c)[1:-1] for c in text
    )


def _html_some(text: str, rnd: random.Random) -> str:
    spell = [lambda c: html.escape(c), lambda c: f"&#{ord(c)};", lambda c: f"&#x{ord(c):x};"]
    return "".join(rnd.choice(spell)(c) for c in text)


def _base64_blob(text: str, rnd: random.Random) -> str:
    raw = rnd.randbytes(rnd.randrange(6)) + text.encode() + rnd.randbytes(rnd.randrange(4))
    return rnd.choice([base64.b64encode, base64.urlsafe_b64encode])(raw).decode()


ENCODINGS: dict[str, Callable[[str, random.Random], str]] = {
    "plain": lambda s, _: s,
    "quote": lambda s, _: quote(s, safe=""),
    "quote keeping '/'": lambda s, _: quote(s),
    "quote_plus": lambda s, _: quote_plus(s),
    "percent, lower-case hex": lambda s, _: re.sub(
        "%[0-9A-F]{2}", lambda m: m.group().lower(), quote(s, safe="")
    ),
    "percent, some characters": _percent_some,
    "JSON": lambda s, _: json.dumps(s)[1:-1],
    "JSON, not ASCII-only": lambda s, _: json.dumps(s, ensure_ascii=False)[1:-1],
    "JSON escaping '/'": lambda s, _: json.dumps(s)[1:-1].replace("/", "\\/"),
    "JSON, some or all characters \\u": _json_some,
    "HTML": lambda s, _: html.escape(s),
    "HTML, numeric and named": _html_some,
    "hex": lambda s, rnd: rnd.choice([str.lower, str.upper])(s.encode().hex()),
    "base64 or base64url, at a random offset": _base64_blob,
}
# Which encodings keep the case a case-changed secret arrives in (hex and base64 encode bytes).
CASE_KEEPING = [
    name for name in ENCODINGS if name not in ("hex", "base64 or base64url, at a random offset")
]


def _spell(secret: str, encoding: str, rnd: random.Random) -> str:
    """``secret``, perhaps cut to a fragment of 12 or more, perhaps case-changed, encoded."""
    value = secret
    if len(value) > 12 and rnd.random() < 0.3:
        start = rnd.randrange(len(value) - 11)
        value = value[start : rnd.randrange(start + 12, len(value) + 1)]
    if encoding in CASE_KEEPING and folds(secret) and rnd.random() < 0.3:
        value = rnd.choice([str.upper, str.lower, str.swapcase])(value)
    return ENCODINGS[encoding](value, rnd)


def _claimed(secret: str, encoding: str) -> bool:
    """Whether the redactor promises to find ``secret`` so encoded (short ones: not in hex or
    base64, which would hit random text)."""
    if encoding == "hex":
        return len(secret) >= 4
    if encoding.startswith("base64"):
        return len(secret) >= 8
    return True


@given(secret=secrets, before=around, after=around, rnd=st.randoms())
@settings(max_examples=8_000, deadline=None)
def test_no_spelling_of_a_random_secret_survives(
    secret: str, before: str, after: str, rnd: random.Random
) -> None:
    redactor, oracle = Redactor([secret]), Oracle(secret)
    for encoding in rnd.sample(sorted(ENCODINGS), 3):
        if not _claimed(secret, encoding):
            continue
        text = before + _spell(secret, encoding, rnd) + after
        assume(REDACTED not in text and REDACTED_JWT not in text)
        out = redactor.text(text)
        assert redactor.contains_secret(text), encoding
        assert not redactor.contains_secret(out), (encoding, out)
        assert not oracle.leaks(out), (encoding, out, oracle.leaks(out))
        if encoding.startswith("JSON"):
            json.loads(f'"{out}"')  # what is left of a JSON string is still one


@given(secret=secrets, words=st.lists(around, min_size=1, max_size=4), rnd=st.randoms())
@settings(max_examples=2_000, deadline=None)
def test_a_random_secret_split_across_sse_deltas_does_not_survive(
    secret: str, words: list[str], rnd: random.Random
) -> None:
    whole = rnd.choice(words) + secret + rnd.choice(words)
    if rnd.random() < 0.5:
        whole = json.dumps({"query": whole})  # a tool's input, streamed as partial JSON
    cuts = sorted(rnd.sample(range(len(whole) + 1), min(len(whole) + 1, rnd.randrange(1, 6))))
    pieces = [whole[a:b] for a, b in zip([0, *cuts], [*cuts, len(whole)], strict=True)]
    deltas = _json_deltas if whole.startswith("{") else _text_deltas
    body = deltas(*pieces)
    assume(REDACTED not in whole and REDACTED_JWT not in whole)
    redactor, oracle = Redactor([secret]), Oracle(secret)
    out = redactor.stream(body)
    assert redactor.contains_secret(body)
    assert not redactor.contains_secret(out)
    assert not oracle.leaks(out)
    if '"' not in secret and not oracle.leaks(deltas(*[""] * len(pieces))):
        # Unless the secret spells the stream's own framing ("0", "type") or holds the quote that
        # opens and closes its strings (so '"u' meets '"partial_json":"uery'), every event is
        # still JSON, and the text they reassemble to holds no piece of it. Where it does, the
        # secret goes first and the event's JSON second.
        assert not oracle.leaks(_deltas_of(out))


alphabet = string.printable.strip().translate(str.maketrans("", "", "%&\\"))


@given(data=st.data())
@settings(max_examples=1_500, deadline=None)
def test_text_without_a_secret_is_left_unchanged(data: st.DataObject) -> None:
    chars = data.draw(st.sets(st.sampled_from(alphabet), min_size=1, max_size=len(alphabet) - 1))
    secret = data.draw(st.text(sorted(chars), min_size=12, max_size=200))
    # Nor the secret's letters in the other case: a secret may be found in any case (``folds``),
    # so 'EEEEEEEEEEEE' spells 'eeeeeeeeeeee'.
    cased = {c.swapcase() for c in chars} | {c.upper() for c in chars} | {c.lower() for c in chars}
    others = sorted(set(alphabet + " \n\u00e9\u2744\U0001f600") - chars - cased)
    text = data.draw(st.text(others, max_size=400))
    redactor = Redactor([secret])
    assert redactor.text(text) == text
    assert redactor.stream(text) == text
    assert not redactor.contains_secret(text)


request_ids = st.one_of(
    st.text(string.ascii_letters + string.digits, min_size=22, max_size=22).map(
        lambda s: "req_011C" + s
    ),
    st.uuids().map(str),
)


@given(secret=secrets, ids=st.lists(request_ids, min_size=1, max_size=4))
@settings(max_examples=1_000, deadline=None)
def test_request_ids_are_never_touched(secret: str, ids: list[str]) -> None:
    text = " ".join(ids)
    assume(not Oracle(secret).leaks(text))  # unless a secret is spelled inside one
    redactor = Redactor([secret])
    assert redactor.text(text) == text
    for name in ("request-id", "apim-request-id", "x-ms-client-request-id"):
        assert redactor.header_value(name, ids[0]) == ids[0]


@given(
    secret=secrets,
    name=st.sampled_from(["x-echo", "www-authenticate", "location"]),
    rnd=st.randoms(),
)
@settings(max_examples=500, deadline=None)
def test_no_random_secret_survives_in_a_header_name_a_url_or_a_file_name(
    secret: str, name: str, rnd: random.Random
) -> None:
    assume("[REDACTED" not in secret)
    redactor, oracle = Redactor([secret]), Oracle(secret)
    spelled = _spell(secret, rnd.choice(["plain", "quote", "JSON"]), rnd)
    headers = redactor.headers([(f"x-{spelled}", "1"), (name, f"<{spelled}>")])
    assert not any(oracle.leaks(part) for header in headers.items() for part in header)
    url = redactor.url(f"https://h.example/{quote(secret)}/v1?state={quote(secret, safe='')}")
    assert not oracle.leaks(url)
    file_name = redactor.file_name(f"CHECK[{secret}]")
    assert not oracle.leaks(file_name)
    assert "/" not in file_name and file_name not in ("", ".", "..")


# -- the properties that were here before, kept ------------------------------------------------

surroundings = st.text(max_size=40)

# Keys and tokens are printable ASCII (a value no header can carry is refused by the configuration).
# The one secret redaction cannot hide is a piece of its own marker ("[REDACTE"): left out.
any_secret = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=8
).filter(
    lambda s: len(s.strip()) >= 8 and s.strip() not in REDACTED_JWT and s.strip() not in REDACTED
)


def _encodings(secret: str) -> list[str]:
    """The spellings a server, a proxy or a client may give a secret in text it returns."""
    raw = secret.encode()
    return [
        secret,
        json.dumps(secret)[1:-1],  # inside a JSON string
        json.dumps(secret, ensure_ascii=False)[1:-1],
        json.dumps(secret)[1:-1].replace("/", "\\/"),  # as PHP and some gateways escape '/'
        quote(secret, safe=""),
        quote(secret),  # the default keeps '/'
        quote_plus(secret),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode(),
    ]


@given(secret=any_secret, before=surroundings, after=surroundings, data=st.data())
@settings(max_examples=300)
def test_no_encoding_of_a_secret_survives_text(
    secret: str, before: str, after: str, data: st.DataObject
) -> None:
    form = data.draw(st.sampled_from(_encodings(secret.strip())))
    out = Redactor([secret]).text(before + form + after)
    assert form not in out
    assert secret.strip() not in out


@given(
    secret=any_secret,
    name=st.sampled_from(["x-echo", "www-authenticate", "location"]),
    data=st.data(),
)
@settings(max_examples=200)
def test_no_secret_survives_in_a_header_value(secret: str, name: str, data: st.DataObject) -> None:
    form = data.draw(st.sampled_from(_encodings(secret.strip())))
    value = data.draw(surroundings) + form + data.draw(surroundings)
    out = Redactor([secret]).headers([(name, value), ("request-id", "req_011CabcdEFGH")])
    assert form not in out[name]
    assert secret.strip() not in out[name]
    assert out["request-id"] == "req_011CabcdEFGH"  # evidence survives


@given(secret=any_secret, data=st.data())
@settings(max_examples=200)
def test_no_secret_survives_in_a_url(secret: str, data: st.DataObject) -> None:
    form = data.draw(st.sampled_from(_encodings(secret.strip())))
    where = data.draw(st.sampled_from(["path", "query", "param"]))
    base = "https://myres.services.ai.azure.com/anthropic/"
    url = {
        "path": f"{base}{form}/v1/messages",
        "query": f"{base}v1/messages?api-version=1&x={form}",
        "param": f"{base}v1/messages?key={form}&beta=true",
    }[where]
    out = Redactor([secret]).url(url)
    assert form not in out
    assert secret.strip() not in out


secret_text = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=8, max_size=60
)


@given(secret=secret_text, before=st.text(max_size=40), after=st.text(max_size=40))
def test_no_generated_secret_survives_redaction(secret: str, before: str, after: str) -> None:
    redactor = Redactor([secret])
    out = redactor.text(before + secret + after)
    # A secret such as '[REDACTE' is spelled by the marker itself, which reveals nothing of it.
    assert secret.strip() not in without_markers(out)


@given(secret=secret_text)
def test_secret_forms_include_the_secret_itself(secret: str) -> None:
    assert secret in secret_forms(secret)
    assert Redactor([secret]).contains_secret(f"x{secret}y")


@given(secret=any_secret, before=surroundings, after=surroundings)
@settings(max_examples=200)
def test_a_secret_inside_a_json_body_does_not_survive(secret: str, before: str, after: str) -> None:
    body = json.dumps({"error": {"message": before + secret.strip() + after}})
    out = Redactor([secret]).text(body)
    assert secret.strip() not in out
    try:
        decoded = json.loads(out)
    except ValueError:
        return  # a cut escape sequence: the secret cannot be read back either
    assert secret.strip() not in json.dumps(decoded, ensure_ascii=False)

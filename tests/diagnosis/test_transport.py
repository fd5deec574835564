"""Naming the cause of a request that got no HTTP answer, from httpx's class and message."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.diagnosis import CATALOG, classify_transport_error


@pytest.mark.parametrize(
    ("error_class", "message", "code"),
    [
        ("ConnectError", "[Errno -2] Name or service not known", "dns-failure"),
        ("ConnectError", "[Errno 8] nodename nor servname provided, or not known", "dns-failure"),
        ("ConnectError", "[Errno 11001] getaddrinfo failed", "dns-failure"),
        ("ConnectError", "[Errno -3] Temporary failure in name resolution", "dns-failure"),
        ("gaierror", "[Errno -5] No address associated with hostname", "dns-failure"),
        (
            "ConnectError",
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate "
            "in certificate chain (_ssl.c:1006)",
            "tls-error",
        ),
        (
            "ConnectError",
            "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)",
            "tls-error",
        ),
        ("ConnectError", "[SSL] record layer failure (_ssl.c:1000)", "tls-error"),
        ("SSLCertVerificationError", "hostname mismatch", "tls-error"),
        ("ConnectTimeout", "timed out", "timeout"),
        ("ConnectTimeout", "_ssl.c:983: The handshake operation timed out", "timeout"),
        ("ReadTimeout", "The read operation timed out", "timeout"),
        ("WriteTimeout", "The write operation timed out", "timeout"),
        ("PoolTimeout", "", "timeout"),
        ("ConnectError", "[Errno 110] Connection timed out", "timeout"),
        ("ConnectError", "[Errno 111] Connection refused", "connection-failed"),
        ("httpx.ConnectError", "[Errno 111] Connection refused", "connection-failed"),
        ("ReadError", "[Errno 104] Connection reset by peer", "connection-failed"),
        (
            "RemoteProtocolError",
            "Server disconnected without sending a response.",
            "connection-failed",
        ),
        (
            "RemoteProtocolError",
            "peer closed connection without sending complete message body",
            "connection-failed",
        ),
        ("ProxyError", "502 Bad Gateway", "connection-failed"),
        ("OSError", "[Errno 101] Network is unreachable", "connection-failed"),
        (
            "UnsupportedProtocol",
            "Request URL is missing an 'http://' or 'https://' protocol.",
            "wrong-base-path",
        ),
        ("InvalidURL", "Invalid port: 'abc'", "wrong-base-path"),
        (
            "ResponseOverLimit",
            "the server sent more than 16 interim (1xx) responses before the answer's headers, "
            "more than the harness reads",
            "malformed-response",
        ),
        (
            "ResponseOverLimit",
            "an event of the stream is larger than 4 MiB, more than the harness reads of one event",
            "malformed-response",
        ),
        ("RequestBudgetExceeded", "the run's request budget of 50 is spent", "check-error"),
        ("KeyError", "'content'", "check-error"),
    ],
)
def test_transport_errors_are_named_by_cause(error_class: str, message: str, code: str) -> None:
    assert classify_transport_error(error_class, message) == code


@given(st.text(max_size=40), st.text(max_size=200))
def test_any_exception_gets_a_catalogued_code(error_class: str, message: str) -> None:
    assert classify_transport_error(error_class, message) in CATALOG

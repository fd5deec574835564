"""Name the cause of a request that got no HTTP answer, from its exception class and message.

The client seam records ``type(exc).__name__`` and ``str(exc)`` of the httpx (or httpx2) error. The
class alone is too coarse: httpx raises ``ConnectError`` for an unknown host, a refused port and a
failed TLS handshake alike, so the message decides first, then the class.
"""

from __future__ import annotations

from .info import DiagnosisCode

# getaddrinfo's wording on Linux (glibc and musl), macOS and Windows.
_DNS_MARKERS = (
    "name or service not known",
    "nodename nor servname",
    "getaddrinfo failed",
    "temporary failure in name resolution",
    "no address associated with hostname",
    "name does not resolve",
    "name resolution",
)
_TLS_MARKERS = (
    "ssl",
    "tls",
    "certificate",
    "wrong version number",
    "record layer failure",
    "handshake",
)
_TIMEOUT_CLASSES = frozenset(
    {
        "ConnectTimeout",
        "ReadTimeout",
        "WriteTimeout",
        "PoolTimeout",
        "TimeoutException",
        "TimeoutError",
    }
)
_CONNECTION_CLASSES = frozenset(
    {
        "ConnectError",
        "ReadError",
        "WriteError",
        "CloseError",
        "NetworkError",
        "TransportError",
        "ProtocolError",
        "RemoteProtocolError",
        "LocalProtocolError",
        "ProxyError",
        "StreamError",
        "ConnectionError",
        "ConnectionRefusedError",
        "ConnectionResetError",
        "ConnectionAbortedError",
        "BrokenPipeError",
        "OSError",
    }
)
_CONNECTION_MARKERS = (
    "connection refused",
    "connection reset",
    "connection aborted",
    "server disconnected",
    "peer closed connection",
    "broken pipe",
    "network is unreachable",
    "no route to host",
)
# An answer the harness stopped reading at one of its bounds (``target.wire.ResponseOverLimit``):
# too many interim responses, headers too large or too many, a body or stream event too large.
_LIMIT_CLASSES = frozenset({"ResponseOverLimit"})
# The URL itself is unusable (no scheme, a typo in it): a base URL problem, not the network.
_URL_CLASSES = frozenset({"UnsupportedProtocol", "InvalidURL"})


def classify_transport_error(error_class: str, message: str) -> DiagnosisCode:
    """The diagnosis of a request that failed below HTTP (``check-error``: not the network)."""
    name = error_class.rsplit(".", 1)[-1]
    text = message.lower()
    if name in _LIMIT_CLASSES:
        return "malformed-response"
    if name == "gaierror" or any(marker in text for marker in _DNS_MARKERS):
        return "dns-failure"
    # A TLS handshake that times out is a slow or blocked path, not a certificate problem.
    if name in _TIMEOUT_CLASSES:
        return "timeout"
    if "SSL" in name or any(marker in text for marker in _TLS_MARKERS):
        return "tls-error"
    if "timed out" in text:
        return "timeout"
    if name in _URL_CLASSES:
        return "wrong-base-path"
    if name in _CONNECTION_CLASSES or any(marker in text for marker in _CONNECTION_MARKERS):
        return "connection-failed"
    return "check-error"

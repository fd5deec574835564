"""Redaction at the source: log records as they are made, and reports before any writer reads
them — proven with pytest's own writers (the terminal, live and captured logs, ``--showlocals``,
JUnit, pytest-html) on a session that holds a secret in every place they look."""

from __future__ import annotations

import base64
import logging
import sys
from pathlib import Path

import pytest

from conformance.core.redaction import Redactor
from conformance.core.secret import Secret
from conformance.plugin.redaction import RedactingFilter, redacting_log_records

SECRET = "canary-key-DO-NOT-LEAK-7f3e9a1c5b2d4e60"
# What a test of the session below sees of it: the value, and the forms a server may echo.
FORMS = (SECRET, SECRET.upper(), base64.b64encode(SECRET.encode()).decode(), SECRET[3:19])


def _record(msg: str, *args: object, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise RuntimeError(f"refused {SECRET}")
        except RuntimeError:
            exc_info = sys.exc_info()
    return logging.LogRecord("httpx", logging.DEBUG, __file__, 1, msg, args, exc_info)


def test_a_record_is_redacted_with_its_arguments_traceback_and_stack() -> None:
    record = _record("sent %s to %s", {"x-api-key": SECRET}, "host", exc=True)
    record.stack_info = f"Stack (most recent call last):\n  key={SECRET}"
    assert RedactingFilter(Redactor([SECRET])).filter(record) is True
    text = logging.Formatter().format(record)
    assert "sent {'x-api-key': '[REDACTED]'} to host" in text
    assert "RuntimeError: refused [REDACTED]" in text
    assert not any(form in text for form in FORMS)


def test_arguments_that_do_not_fit_the_message_are_kept_redacted() -> None:
    record = _record("two %s %s", SECRET)  # one argument for two placeholders
    RedactingFilter(Redactor([SECRET])).filter(record)
    assert SECRET not in record.getMessage() and "[REDACTED]" in record.getMessage()


def test_every_logger_is_redacted_while_it_lasts_then_left_as_it_was(
    caplog: pytest.LogCaptureFixture,
) -> None:
    restore = redacting_log_records(Redactor([SECRET]))
    try:
        with caplog.at_level(logging.DEBUG):
            for name in ("httpx", "httpcore.http11", "anthropic._base_client", "vcr.stubs", ""):
                logging.getLogger(name).debug("headers %r", {"api-key": SECRET.upper()})
    finally:
        restore()
    assert len(caplog.records) == 5
    assert not any(form in caplog.text for form in FORMS)
    logging.getLogger("after").warning("plain %s", "text")
    assert caplog.records[-1].getMessage() == "plain text"


def test_a_secret_object_shows_no_value() -> None:
    held = Secret(SECRET)
    shown = (repr(held), str(held), f"{held}", f"{held!r}", f"{held:>40}", repr([held]))
    assert not any(SECRET in text for text in shown)
    assert held.reveal() == SECRET
    with pytest.raises(TypeError):
        __import__("pickle").dumps(held)


SESSION = f'''
import logging
import warnings

import pytest

KEY = "{SECRET}"


def helper(credential):
    echoed = {{"message": "the server said " + credential.upper()}}
    assert credential == "something else", echoed


def test_fails_with_the_secret_in_its_locals():
    key = KEY
    header = {{"x-api-key": key}}
    logging.getLogger("httpx").debug("HTTP Request: headers=%s", header)
    logging.getLogger("anthropic._base_client").debug("Request options: %r", header)
    print("stdout", key)
    helper(key)


def test_passes_with_output():
    logging.getLogger("httpcore.http11").info("receive_response_headers %s", KEY[3:19])
    print("stdout again", KEY)
    warnings.warn(DeprecationWarning("the key " + KEY + " is deprecated"))


def test_skips_with_the_secret_in_its_reason():
    pytest.skip("no deployment named " + KEY)


def test_errors_in_a_fixture(broken):
    pass


@pytest.fixture
def broken():
    raise RuntimeError("setup refused " + KEY)
'''

CONFTEST = f"""
from conformance.core.redaction import Redactor
from conformance.plugin.redaction import register


def pytest_configure(config):
    register(config, Redactor(["{SECRET}"]))
"""


@pytest.mark.parametrize(
    "options",
    # Not ``-s`` or ``--capture=tee-sys``: they hand a test's own prints to the terminal as they
    # are made (the suite's checks print nothing). Node IDs are redacted where the plugin makes
    # them (a deployment named like the key, ``hooks.pytest_generate_tests``).
    [
        ("-l", "--tb=long", "-rA", "--log-level=DEBUG"),
        ("--showlocals", "--tb=auto", "-rA", "--log-cli-level=DEBUG", "-vv"),
        ("--tb=native", "-rA", "-o", "log_cli=true", "--log-level=INFO"),
        ("--tb=short", "-ra", "-rP"),
    ],
)
def test_no_writer_of_pytest_sees_a_secret(
    pytester: pytest.Pytester, options: tuple[str, ...]
) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_leaky=SESSION)
    result = pytester.runpytest_inprocess(
        *options,
        "-p", "no:cacheprovider",
        "--junitxml", "junit.xml",
        "--html", "report.html", "--self-contained-html",
    )  # fmt: skip
    result.assert_outcomes(passed=1, failed=1, skipped=1, errors=1)
    terminal = result.stdout.str() + result.stderr.str()
    # The writers did show what they show, redacted: the proof that they were looked at.
    assert "[REDACTED]" in terminal
    assert "test_fails_with_the_secret_in_its_locals" in terminal
    outputs = {
        "terminal": terminal,
        "junit.xml": Path(pytester.path / "junit.xml").read_text("utf-8"),
        "report.html": Path(pytester.path / "report.html").read_text("utf-8"),
    }
    assert "[REDACTED]" in outputs["junit.xml"]
    for name, text in outputs.items():
        found = [form for form in FORMS if form in text]
        lines = [line for line in text.splitlines() if any(form in line for form in found)]
        assert not found, f"{name} holds {found}: {lines}"
    assert "DeprecationWarning: the key [REDACTED] is deprecated" in terminal
    if "-l" in options or "--showlocals" in options:
        assert "header" in terminal and "credential" in terminal  # the locals were shown

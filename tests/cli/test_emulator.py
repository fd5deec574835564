"""``run_standalone``: the banner, serving until stopped, and one-line errors (exit 2)."""

from __future__ import annotations

import io
import re
import socket
import threading
import time

import httpx

from conformance.cli.emulator import run_standalone
from conformance.core.constants import ANTHROPIC_VERSION, EMULATOR_DEV_API_KEY

from ..emulator.conftest import message_body


class _Serving:
    """``run_standalone`` in a thread, stopped by an event."""

    def __init__(self, profiles: str = "", env: dict[str, str] | None = None) -> None:
        self.out = io.StringIO()
        self.stop = threading.Event()
        self.result: list[int] = []
        self.thread = threading.Thread(
            target=lambda: self.result.append(
                run_standalone("127.0.0.1", 0, profiles, env or {}, self.out, stop=self.stop)
            )
        )

    def __enter__(self) -> _Serving:
        self.thread.start()
        deadline = time.monotonic() + 5
        while "Press Ctrl+C" not in self.out.getvalue():
            assert time.monotonic() < deadline, self.out.getvalue()
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(5)

    @property
    def base_url(self) -> str:
        match = re.search(r"export ANTHROPIC_FOUNDRY_BASE_URL=(\S+)", self.out.getvalue())
        assert match, self.out.getvalue()
        return match.group(1)


def call(base_url: str, key: str) -> int:
    headers = {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION}
    return httpx.post(base_url + "v1/messages", json=message_body(), headers=headers).status_code


def test_serves_with_the_dev_key_and_prints_how_to_use_it() -> None:
    with _Serving("slow=0.01,done-sentinel") as serving:
        assert call(serving.base_url, EMULATOR_DEV_API_KEY) == 200
    banner = serving.out.getvalue()
    assert serving.result == [0]
    assert re.search(r"listening on http://127\.0\.0\.1:\d+/anthropic/", banner)
    assert "proves nothing about Azure" in banner
    assert "profiles:    slow=0.01,done-sentinel" in banner
    assert f"export ANTHROPIC_FOUNDRY_API_KEY={EMULATOR_DEV_API_KEY}" in banner
    assert "unset ANTHROPIC_FOUNDRY_RESOURCE" in banner
    assert banner.rstrip().endswith("Foundry emulator stopped.")


def test_a_key_from_the_environment_is_used_and_never_printed() -> None:
    user_key = "users-own-secret-key-0123456789"
    with _Serving(env={"ANTHROPIC_FOUNDRY_API_KEY": user_key}) as serving:
        assert call(serving.base_url, user_key) == 200
        assert call(serving.base_url, EMULATOR_DEV_API_KEY) == 401
    banner = serving.out.getvalue()
    assert user_key not in banner
    assert "the key from ANTHROPIC_FOUNDRY_API_KEY (not shown)" in banner
    assert "export ANTHROPIC_FOUNDRY_API_KEY" not in banner


def test_an_unknown_profile_is_one_line_and_exit_2() -> None:
    out = io.StringIO()
    assert run_standalone("127.0.0.1", 0, "overload", {}, out) == 2
    text = out.getvalue()
    assert text.count("\n") == 1
    assert text.startswith(
        "foundry-conformance emulator: unknown emulator profile 'overload'; valid profiles:"
    )
    assert "Traceback" not in text


def test_a_busy_port_is_one_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = io.StringIO()
        assert run_standalone("127.0.0.1", port, "", {}, out) == 2
    assert out.getvalue() == (
        f"foundry-conformance emulator: port {port} on 127.0.0.1 is already in use; "
        "pick another with --port\n"
    )


def test_an_impossible_port_is_one_line_and_exit_2() -> None:
    out = io.StringIO()
    assert run_standalone("127.0.0.1", 70000, "", {}, out) == 2
    assert out.getvalue() == "foundry-conformance emulator: port 70000 is not between 0 and 65535\n"


def test_ctrl_c_stops_cleanly() -> None:
    class Interrupted(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            raise KeyboardInterrupt

    out = io.StringIO()
    assert run_standalone("127.0.0.1", 0, "", {}, out, stop=Interrupted()) == 0
    assert out.getvalue().rstrip().endswith("Foundry emulator stopped.")

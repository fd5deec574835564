"""``run_standalone``: the banner, serving until stopped, and one-line errors (exit 2)."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anthropic
import httpx
import pytest

from conformance.cli.emulator import run_standalone
from conformance.core.constants import EMULATOR_DEV_API_KEY, EMULATOR_UNPRIVILEGED_PRINCIPAL
from conformance.core.platform_load import builtin_profile
from tests.platform_facts import ANTHROPIC_VERSION

from ..emulator.conftest import message_body

PROFILE = builtin_profile()
# A model that ships after this release, known only to the user's profile file.
NEW_MODEL = (
    '[[model]]\nid = "claude-sonnet-6"\nfamily = "sonnet"\nhosting = { azure = "ga" }\n'
    'context_window = 2000000\nmax_output = 256000\nthinking = ["adaptive"]\n'
    'effort = ["low", "high"]\nmid_conversation_system = true\n'
)


class _Serving:
    """``run_standalone`` in a thread, stopped by an event."""

    def __init__(
        self, profiles: str = "", env: dict[str, str] | None = None, **options: Any
    ) -> None:
        self.out = io.StringIO()
        self.stop = threading.Event()
        self.result: list[int] = []
        self.thread = threading.Thread(
            target=lambda: self.result.append(
                run_standalone(
                    "127.0.0.1", 0, profiles, env or {}, self.out, stop=self.stop, **options
                )
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


def call(base_url: str, key: str, **body: Any) -> int:
    headers = {"x-api-key": key, "anthropic-version": ANTHROPIC_VERSION}
    payload = message_body(**body)
    return httpx.post(base_url + "v1/messages", json=payload, headers=headers).status_code


def test_serves_with_the_dev_key_and_prints_how_to_use_it() -> None:
    with _Serving("slow=0.01,done-sentinel") as serving:
        assert call(serving.base_url, EMULATOR_DEV_API_KEY) == 200
    banner = serving.out.getvalue()
    assert serving.result == [0]
    assert re.search(r"listening on http://127\.0\.0\.1:\d+/anthropic/", banner)
    assert "proves nothing about Azure" in banner
    assert "profiles:    slow=0.01,done-sentinel" in banner
    assert f"deployments: {', '.join(PROFILE.emulator_deployments)}\n" in banner
    assert f"platform:    profile {PROFILE.version} of {PROFILE.date} (built-in)" in banner
    assert f"hosting:     {PROFILE.default_hosting.name}" in banner
    assert "no roles claim is needed" in banner and EMULATOR_UNPRIVILEGED_PRINCIPAL in banner
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
        "foundry-conformance emulator: unknown emulator profile 'overload'; "
        "did you mean overloaded? valid profiles:"
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


def test_deployments_are_served_by_any_name_repeatable_and_comma_separated() -> None:
    names = ["team-claude-prod,claude-haiku-4-5", "claude-opus-4-1"]
    with _Serving(deployments=names) as serving:
        assert call(serving.base_url, EMULATOR_DEV_API_KEY, model="team-claude-prod") == 200
        assert call(serving.base_url, EMULATOR_DEV_API_KEY, model="claude-haiku-4-5") == 200
        # The profile's rules follow the name: a retired model is a deployment that is gone.
        assert call(serving.base_url, EMULATOR_DEV_API_KEY, model="claude-opus-4-1") == 404
        assert call(serving.base_url, EMULATOR_DEV_API_KEY, model="claude-sonnet-5-5") == 404
    banner = serving.out.getvalue()
    assert (
        "deployments: team-claude-prod (not in the platform profile: an unrestricted current "
        "model), claude-haiku-4-5, claude-opus-4-1 (retired: answers 404 DeploymentNotFound)"
    ) in banner


def test_a_model_only_in_the_users_profile_is_served_by_its_own_rules(tmp_path: Path) -> None:
    path = tmp_path / "next.toml"
    path.write_text(NEW_MODEL)
    with _Serving(deployments=["claude-sonnet-6"], platform_profile=path) as serving:
        client = anthropic.AnthropicFoundry(
            base_url=serving.base_url, api_key=EMULATOR_DEV_API_KEY, max_retries=0
        )
        # Its own max output (above every built-in model's) is accepted, one more is not.
        message = client.messages.create(
            model="claude-sonnet-6", max_tokens=5, messages=[{"role": "user", "content": "Hi"}]
        )
        assert message.model == "claude-sonnet-6"
        with client.messages.stream(
            model="claude-sonnet-6", max_tokens=256000, messages=[{"role": "user", "content": "Hi"}]
        ) as stream:
            assert stream.get_final_message().stop_reason == "end_turn"
        with pytest.raises(anthropic.BadRequestError, match="256000, which is the maximum"):
            client.messages.create(
                model="claude-sonnet-6",
                max_tokens=256001,
                messages=[{"role": "user", "content": "Hi"}],
                timeout=10,
            )
        with pytest.raises(anthropic.BadRequestError, match="'medium' is not supported"):
            client.messages.create(
                model="claude-sonnet-6",
                max_tokens=5,
                messages=[{"role": "user", "content": "Hi"}],
                output_config={"effort": "medium"},
            )
    assert f"platform:    profile {PROFILE.version} of {PROFILE.date} (built-in + {path})" in (
        serving.out.getvalue()
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"deployments": ["two words"]}, "'two words' is not a deployment name"),
        ({"deployments": [","]}, "the emulator needs at least one deployment name"),
        ({"platform_profile": Path("/nonexistent/profile.toml")}, "cannot be read"),
    ],
)
def test_a_bad_deployment_or_platform_profile_is_one_line_and_exit_2(
    options: dict[str, Any], message: str
) -> None:
    out = io.StringIO()
    assert run_standalone("127.0.0.1", 0, "", {}, out, **options) == 2
    assert out.getvalue().count("\n") == 1
    assert out.getvalue().startswith("foundry-conformance emulator: ")
    assert message in out.getvalue()


def test_a_broken_platform_profile_names_the_file_and_the_field(tmp_path: Path) -> None:
    path = tmp_path / "typo.toml"
    path.write_text('[[model]]\nid = "claude-opus-5-5"\nmax_ouput = 1\n')
    out = io.StringIO()
    assert run_standalone("127.0.0.1", 0, "", {}, out, platform_profile=path) == 2
    assert str(path) in out.getvalue() and "max_ouput" in out.getvalue()


def _command(*args: str) -> Sequence[str]:
    return [sys.executable, "-m", "conformance.cli", "emulator", "--port", "0", *args]


def test_the_command_serves_a_users_model_on_a_free_port(tmp_path: Path) -> None:
    path = tmp_path / "next.toml"
    path.write_text(NEW_MODEL)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "FOUNDRY_"))}
    command = _command("--platform-profile", str(path), "--deployment", "claude-sonnet-6")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        lines = []
        while not lines or "Press Ctrl+C" not in lines[-1]:
            line = process.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        found = re.search(r"export ANTHROPIC_FOUNDRY_BASE_URL=(\S+)", "".join(lines))
        assert found, "".join(lines)
        base_url = found.group(1)
        assert (
            call(base_url, EMULATOR_DEV_API_KEY, model="claude-sonnet-6", max_tokens=256000) == 200
        )
        assert (
            call(base_url, EMULATOR_DEV_API_KEY, model="claude-sonnet-6", max_tokens=256001) == 400
        )
        assert "deployments: claude-sonnet-6\n" in "".join(lines)
    finally:
        process.terminate()  # the one process this test started
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()

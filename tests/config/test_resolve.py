"""Configuration: precedence, every message the user can see, and that no secret is ever in one."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conformance.config import (
    AuthMode,
    EntraSource,
    Mode,
    RawOptions,
    Settings,
    Suite,
    resolve_settings,
)
from conformance.config.endpoint import normalize_base_url, validate_resource_name
from conformance.config.values import alternate_scope, validate_scope
from conformance.core.constants import (
    EMULATOR_DEV_API_KEY,
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_ENTRA_TOKEN,
    ENV_RESOURCE,
    ENV_UNPRIVILEGED_TOKEN,
)
from conformance.core.errors import ConfigError
from conformance.core.jwt_claims import mint_test_token
from conformance.core.platform_load import builtin_profile
from tests.platform_facts import AI_AZURE_SCOPE, COGNITIVE_SERVICES_SCOPE

from ..recording.sets import RECORDED_BASE_URL, write_cassette_set

CANARY_KEY = "canary-key-DO-NOT-LEAK-0000000000000000"
CANARY_TOKEN = mint_test_token(extra={"canary": "DO-NOT-LEAK-0000"})
NOW = datetime(2026, 1, 1, tzinfo=UTC)
FOUNDRY_URL = "https://myres.services.ai.azure.com/anthropic/"


def resolve(env: Mapping[str, str] | None = None, **options: Any) -> Settings:
    return resolve_settings(RawOptions(**options), env or {}, now=NOW)


def error(env: Mapping[str, str] | None = None, **options: Any) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        resolve(env, **options)
    return caught.value


KEY_ENV = {ENV_API_KEY: CANARY_KEY}
SCOPES = builtin_profile().accepted_scopes


# -- defaults and the emulator ------------------------------------------------------------------


def test_nothing_configured_runs_the_emulator_with_every_auth_mode() -> None:
    s = resolve()
    assert s.kind is Mode.EMULATOR
    assert s.base_url is None
    assert s.endpoint_source == "emulator"
    assert s.emulator_profiles == "default"
    assert s.auth_modes == (AuthMode.API_KEY, AuthMode.X_API_KEY, AuthMode.ENTRA)
    assert s.auth_explicit is False
    assert s.api_key == EMULATOR_DEV_API_KEY
    assert s.api_key_source == "emulator-dev-key"
    assert s.entra_source is EntraSource.EMULATOR_MINT
    assert s.notes == (
        "No endpoint is configured (--resource NAME or ANTHROPIC_FOUNDRY_RESOURCE, or --base-url "
        "URL or ANTHROPIC_FOUNDRY_BASE_URL): the run uses the embedded emulator, which proves "
        "nothing about Azure.",
    )
    assert s.warnings == ()


def test_defaults() -> None:
    s = resolve(KEY_ENV, resource="myres")
    assert s.deployments == () and s.discovers_deployments  # the run finds them
    assert s.entra_scope == COGNITIVE_SERVICES_SCOPE
    assert s.suite is Suite.STANDARD
    assert s.select == ()
    assert s.report_dir == Path("reports")
    assert s.cassettes is None
    assert (s.max_requests, s.max_tokens_budget, s.timeout) == (200, 20_000, 30.0)
    assert (s.probe_rate_limit, s.redact_resource) == (False, False)


def test_emulator_uses_the_key_from_the_environment_as_the_emulator_does() -> None:
    s = resolve(KEY_ENV, emulator="")
    assert (s.api_key, s.api_key_source) == (CANARY_KEY, ENV_API_KEY)


@pytest.mark.parametrize(
    ("given", "profiles"),
    [
        ("", "default"),
        ("slow", "slow"),
        ("slow, done-sentinel,slow", "slow,done-sentinel"),
        ("slow=0.2,echo-key", "slow=0.2,echo-key"),
    ],
)
def test_emulator_profiles(given: str, profiles: str) -> None:
    assert resolve(emulator=given).emulator_profiles == profiles


def test_mode_emulator_is_the_same_as_the_flag() -> None:
    assert resolve(mode="emulator").kind is Mode.EMULATOR


@pytest.mark.parametrize("given", ["slow;rm", "no-such-fault", "slow=fast"])
def test_bad_emulator_profile_names_the_valid_ones(given: str) -> None:
    exc = error(emulator=given)
    assert exc.problem.startswith(f"--emulator {given!r}: ")
    assert "api-key-rejected" in exc.problem or "slow" in exc.problem
    assert "--emulator PROFILE[,PROFILE=SECONDS...]" in exc.fix


def test_emulator_flag_wins_over_endpoint_variables() -> None:
    s = resolve({ENV_RESOURCE: "myres", ENV_BASE_URL: FOUNDRY_URL}, emulator="")
    assert s.kind is Mode.EMULATOR
    assert s.notes == (
        "--emulator given: ANTHROPIC_FOUNDRY_RESOURCE is ignored.",
        "--emulator given: ANTHROPIC_FOUNDRY_BASE_URL is ignored.",
    )


@pytest.mark.parametrize("flag", ["resource", "base_url"])
def test_emulator_with_an_endpoint_flag_is_a_conflict(flag: str) -> None:
    value = "myres" if flag == "resource" else FOUNDRY_URL
    exc = error({}, emulator="", **{flag: value})
    name = "--" + flag.replace("_", "-")
    assert exc.code == "config-conflict"
    assert exc.source == f"--emulator and {name}"
    assert str(exc) == (
        f"--emulator and {name} are both given; the emulator and a live endpoint cannot both be "
        f"the target. Drop --emulator to test the endpoint, or drop {name} to run against the "
        "emulator."
    )


@pytest.mark.parametrize("mode", ["live", "record", "replay"])
def test_emulator_with_another_mode_is_a_conflict(mode: str) -> None:
    exc = error(emulator="", mode=mode)
    assert exc.code == "config-conflict"
    assert (
        exc.problem == f"--emulator and --mode {mode} are both given; the emulator is its own mode."
    )
    assert exc.fix.startswith(f"Drop --mode {mode} to run against the emulator")


def test_emulator_ignores_the_entra_token_variable_but_still_scrubs_it() -> None:
    s = resolve({ENV_ENTRA_TOKEN: CANARY_TOKEN})
    assert s.entra_token is None
    assert s.entra_source is EntraSource.EMULATOR_MINT
    assert CANARY_TOKEN in s.secrets()
    assert (
        "FOUNDRY_CONFORMANCE_ENTRA_TOKEN is ignored with the emulator: it mints tokens." in s.notes
    )


def test_with_base_url_binds_the_emulator_address() -> None:
    s = resolve().with_base_url("http://127.0.0.1:8123/anthropic")
    assert s.base_url == "http://127.0.0.1:8123/anthropic/"


# -- endpoint precedence --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "env", "base_url", "source", "notes"),
    [
        ({"resource": "flagres"}, {}, "https://flagres.services.ai.azure.com/anthropic/",
         "--resource", ()),
        ({}, {ENV_RESOURCE: "envres"}, "https://envres.services.ai.azure.com/anthropic/",
         ENV_RESOURCE, ()),
        ({}, {ENV_BASE_URL: "https://gw.example.com/anthropic"}, "https://gw.example.com/anthropic/",
         ENV_BASE_URL, ()),
        ({"resource": "flagres"}, {ENV_RESOURCE: "envres"},
         "https://flagres.services.ai.azure.com/anthropic/", "--resource",
         ("--resource given: ANTHROPIC_FOUNDRY_RESOURCE is ignored.",)),
        ({"resource": "flagres"}, {ENV_BASE_URL: "https://gw.example.com/anthropic/"},
         "https://flagres.services.ai.azure.com/anthropic/", "--resource",
         ("--resource given: ANTHROPIC_FOUNDRY_BASE_URL is ignored.",)),
        ({"base_url": "https://gw.example.com/anthropic/"}, {ENV_RESOURCE: "envres"},
         "https://gw.example.com/anthropic/", "--base-url",
         ("--base-url given: ANTHROPIC_FOUNDRY_RESOURCE is ignored.",)),
        ({"base_url": "https://gw.example.com/anthropic/"},
         {ENV_BASE_URL: "https://other.example.com/anthropic/"},
         "https://gw.example.com/anthropic/", "--base-url",
         ("--base-url given: ANTHROPIC_FOUNDRY_BASE_URL is ignored.",)),
        ({"resource": "flagres"}, {ENV_RESOURCE: "envres", ENV_BASE_URL: FOUNDRY_URL},
         "https://flagres.services.ai.azure.com/anthropic/", "--resource",
         ("--resource given: ANTHROPIC_FOUNDRY_RESOURCE is ignored.",
          "--resource given: ANTHROPIC_FOUNDRY_BASE_URL is ignored.")),
    ],
)  # fmt: skip
def test_flags_win_over_variables(
    options: dict[str, str], env: dict[str, str], base_url: str, source: str, notes: tuple[str, ...]
) -> None:
    s = resolve({**KEY_ENV, **env}, **options)
    assert (s.kind, s.base_url, s.endpoint_source, s.notes) == (Mode.LIVE, base_url, source, notes)


def test_resource_flag_and_base_url_flag_are_mutually_exclusive() -> None:
    exc = error(KEY_ENV, resource="myres", base_url=FOUNDRY_URL)
    assert exc.code == "config-conflict"
    assert exc.source == "--resource and --base-url"
    assert str(exc) == (
        "--resource and --base-url are both given; they are mutually exclusive, as in the "
        "official SDK. Give one: --resource NAME builds "
        "https://NAME.services.ai.azure.com/anthropic/, and --base-url URL is for any other "
        "endpoint."
    )


def test_resource_variable_and_base_url_variable_are_mutually_exclusive() -> None:
    exc = error({**KEY_ENV, ENV_RESOURCE: "myres", ENV_BASE_URL: FOUNDRY_URL})
    assert exc.code == "config-conflict"
    assert exc.source == "ANTHROPIC_FOUNDRY_RESOURCE and ANTHROPIC_FOUNDRY_BASE_URL"
    assert exc.problem == (
        "ANTHROPIC_FOUNDRY_RESOURCE and ANTHROPIC_FOUNDRY_BASE_URL are both set; they are mutually "
        "exclusive (the official SDK refuses them too: 'base_url and resource are mutually "
        "exclusive')."
    )
    assert exc.fix == (
        "Unset one of them, or override both for this run with --resource NAME or --base-url URL."
    )


def test_empty_variables_count_as_unset() -> None:
    s = resolve({**KEY_ENV, ENV_RESOURCE: "myres", ENV_BASE_URL: "  "})
    assert s.endpoint_source == ENV_RESOURCE


def test_a_foundry_base_url_names_its_resource() -> None:
    s = resolve(KEY_ENV, base_url="https://MyRes.services.ai.azure.com/anthropic")
    assert (s.base_url, s.resource) == (FOUNDRY_URL, "myres")
    assert resolve(KEY_ENV, base_url="https://gw.example.com/anthropic/").resource is None


# -- modes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["live", "record"])
def test_live_and_record_need_an_endpoint(mode: str) -> None:
    exc = error(KEY_ENV, mode=mode)
    assert exc.code == "config-missing"
    assert exc.source == "--mode"
    record_the_emulator = (
        " To record the emulator, start it (foundry-conformance emulator --port 8800) and pass "
        "--base-url http://127.0.0.1:8800/anthropic/."
    )
    assert str(exc) == (
        f"--mode {mode} needs a live endpoint, and none is configured. Set --resource NAME or "
        "ANTHROPIC_FOUNDRY_RESOURCE, or --base-url URL or ANTHROPIC_FOUNDRY_BASE_URL; or drop "
        f"--mode {mode} to try the embedded emulator."
        + (record_the_emulator if mode == "record" else "")
    )


def test_record_defaults_its_cassette_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the checkout's cassettes/ holds the shipped sets
    s = resolve(KEY_ENV, resource="myres", mode="record")
    assert (s.kind, s.cassettes) == (Mode.RECORD, Path("cassettes"))
    assert s.notes == ("--cassettes not given: recording into cassettes/.",)


def test_replay_needs_cassettes() -> None:
    exc = error(mode="replay")
    assert exc.code == "config-missing"
    assert exc.source == "--cassettes"
    assert str(exc) == (
        "--mode replay needs the recorded cassettes, and --cassettes is not given. "
        "Pass --cassettes DIR, the directory a --mode record run wrote."
    )


def test_replay_needs_no_endpoint_and_no_live_credential(tmp_path: Path) -> None:
    cassettes = write_cassette_set(tmp_path / "c")
    s = resolve({**KEY_ENV, ENV_ENTRA_TOKEN: CANARY_TOKEN}, mode="replay", cassettes=cassettes)
    # The endpoint and the auth modes come from the recording's metadata.json.
    assert (s.kind, s.base_url, s.endpoint_source, s.cassettes) == (
        Mode.REPLAY, RECORDED_BASE_URL, "cassettes", cassettes,
    )  # fmt: skip
    assert s.api_key != CANARY_KEY and s.api_key_source == "replay-placeholder"
    assert s.entra_token is None and s.entra_source is EntraSource.REPLAY_MINT
    assert s.auth_modes == (AuthMode.API_KEY, AuthMode.X_API_KEY, AuthMode.ENTRA)
    assert s.notes[0] == (
        "ANTHROPIC_FOUNDRY_API_KEY and FOUNDRY_CONFORMANCE_ENTRA_TOKEN not used in replay: "
        "nothing is sent."
    )
    assert s.notes[1].startswith(f"Replaying {cassettes}, recorded 2025-12-30T10:00:00+00:00")
    # Still scrubbed: a library may read the environment on its own.
    assert {CANARY_KEY, CANARY_TOKEN} <= set(s.secrets())


def test_an_endpoint_given_to_a_replay_is_ignored_with_a_warning(tmp_path: Path) -> None:
    s = resolve(mode="replay", cassettes=write_cassette_set(tmp_path), resource="myres")
    assert (s.kind, s.base_url) == (Mode.REPLAY, RECORDED_BASE_URL)
    assert (
        f"--resource is ignored in a replay: the answers are those recorded from "
        f"{RECORDED_BASE_URL}, and the report names that endpoint."
    ) in s.warnings


@pytest.mark.parametrize(
    ("options", "run"),
    [
        ({"resource": "myres"}, "a run without --mode"),
        ({"resource": "myres", "mode": "live"}, "a --mode live run"),
        ({}, "a run without --mode"),  # the emulator, by default
        ({"emulator": ""}, "a run without --mode"),
        ({"mode": "emulator"}, "a --mode emulator run"),
    ],
)
def test_cassettes_without_record_or_replay_are_an_error(options: dict[str, str], run: str) -> None:
    exc = error(KEY_ENV, cassettes="c", **options)
    assert (exc.code, exc.source) == ("config-conflict", "--cassettes")
    assert str(exc) == (
        f"--cassettes is given, but {run} neither records nor replays cassettes. Add --mode "
        "replay to replay the cassettes in that directory, or --mode record to record into it; "
        "or drop --cassettes."
    )


def test_the_rate_limit_probe_outside_the_selection_is_a_warning() -> None:
    s = resolve(KEY_ENV, resource="myres", select=["MSG-BASIC"], probe_rate_limit=True)
    assert s.warnings == (
        "--probe-rate-limit is ignored: --select MSG-BASIC does not include RL-429, the probe it "
        "enables (add --select RL-429).",
    )
    assert (
        resolve(KEY_ENV, resource="myres", select=["rate-limits"], probe_rate_limit=True).warnings
        == ()
    )


def test_overwrite_without_record_is_ignored_with_a_warning(tmp_path: Path) -> None:
    s = resolve(KEY_ENV, resource="myres", overwrite=True)
    assert s.overwrite is False
    assert s.warnings == ("--overwrite is ignored without --mode record.",)
    recording = resolve(
        KEY_ENV, resource="myres", mode="record", cassettes=tmp_path, overwrite=True
    )
    assert recording.overwrite is True and recording.warnings == ()


def test_unknown_mode() -> None:
    exc = error(mode="offline")
    assert str(exc) == (
        "--mode 'offline' is not one of the valid values. "
        "Use one of: live, record, replay, emulator."
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"mode": "lve"}, "--mode 'lve' is not one of the valid values. Did you mean --mode live? "
         "Use one of: live, record, replay, emulator."),
        ({"suite": "smok"}, "--suite 'smok' is not one of the valid values. Did you mean --suite "
         "smoke? Use one of: smoke, standard, full."),
        ({"auth": ["x-apikey"]}, "--auth 'x-apikey' is not one of the valid values. Did you mean "
         "--auth x-api-key? Use one of: api-key, x-api-key, entra."),
        ({"select": ["MSG-BASC"]}, "--select 'MSG-BASC' names no check of the catalog. Did you "
         "mean --select MSG-BASIC? Give a check ID"),
        ({"select": ["AUHT-"]}, "--select 'AUHT-' names no check of the catalog. Did you mean "
         "--select AUTH-? Give a check ID"),
        ({"select": ["rate-limit"]}, "--select 'rate-limit' names no check of the catalog. Did "
         "you mean --select rate-limits? Give a check ID"),
        ({"emulator": "api-key-rejectd", "resource": None}, "--emulator 'api-key-rejectd': unknown emulator profile "
         "'api-key-rejectd'; did you mean api-key-rejected? valid profiles: default, "),
    ],
)  # fmt: skip
def test_a_mistyped_choice_names_the_nearest_one(options: dict[str, Any], message: str) -> None:
    exc = error(KEY_ENV, **({"resource": "myres"} | options))
    assert str(exc).startswith(message), str(exc)


# -- resource names -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ab", "my-resource", "Res01", "a" * 64, "0x-1"])
def test_valid_resource_names(name: str) -> None:
    assert validate_resource_name(f" {name} ", "--resource") == name


@pytest.mark.parametrize(
    ("value", "source", "message"),
    [
        ("https://myres.services.ai.azure.com/anthropic/", "--resource",
         "--resource 'https://myres.services.ai.azure.com/anthropic/' is a URL, not a resource "
         "name. A resource name is only the first label of its host: use --resource myres, or give "
         "the whole endpoint with --base-url https://myres.services.ai.azure.com/anthropic/."),
        ("myres.services.ai.azure.com", ENV_RESOURCE,
         "ANTHROPIC_FOUNDRY_RESOURCE 'myres.services.ai.azure.com' is a host name, not a resource "
         "name. A resource name is only the first label of its host: use "
         "ANTHROPIC_FOUNDRY_RESOURCE=myres, or give the whole endpoint with "
         "ANTHROPIC_FOUNDRY_BASE_URL=https://myres.services.ai.azure.com/anthropic/."),
        ("example-resource.azure.anthropic.com", "--resource",
         "--resource 'example-resource.azure.anthropic.com' is a host name, not a resource name. "
         "'example-resource.azure.anthropic.com' is not a Foundry host (a README once showed this "
         "form by mistake): Foundry endpoints look like "
         "https://NAME.services.ai.azure.com/anthropic/, so use --resource example-resource if "
         "'example-resource' is the name of your Foundry resource."),
        ("myres.openai.azure.com", "--resource",
         "--resource 'myres.openai.azure.com' is a host name, not a resource name. A resource name "
         "is only the first label of its host: use --resource myres, or give the whole endpoint "
         "with --base-url https://myres.services.ai.azure.com/anthropic/."),
        ("gw.example.com", "--resource",
         "--resource 'gw.example.com' is a host name, not a resource name. Use --resource NAME "
         "with the bare resource name shown in the Foundry portal, or give a full endpoint with "
         "--base-url https://HOST/anthropic/."),
        ("a", "--resource",
         "--resource 'a' is 1 characters long. Azure resource names are 2 to 64 letters, digits "
         "and hyphens, starting and ending with a letter or digit: copy the name from the Foundry "
         "portal (Keys and Endpoint)."),
        ("my_res", "--resource",
         "--resource 'my_res' contains '_', which a resource name cannot hold. Azure resource "
         "names are 2 to 64 letters, digits and hyphens, starting and ending with a letter or "
         "digit: copy the name from the Foundry portal (Keys and Endpoint)."),
        ("-myres", "--resource",
         "--resource '-myres' starts or ends with a hyphen. Azure resource names are 2 to 64 "
         "letters, digits and hyphens, starting and ending with a letter or digit: copy the name "
         "from the Foundry portal (Keys and Endpoint)."),
        ("  ", "--resource",
         "--resource is empty. Give the resource name from the Foundry portal, e.g. "
         "--resource my-resource."),
    ],
)  # fmt: skip
def test_invalid_resource_names(value: str, source: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        validate_resource_name(value, source)
    assert (str(caught.value), caught.value.source) == (message, source)


def test_a_resource_name_too_long() -> None:
    with pytest.raises(ConfigError, match=r"is 65 characters long\. Azure resource names"):
        validate_resource_name("a" * 65, "--resource")


def test_invalid_resource_through_resolve_names_the_variable() -> None:
    exc = error({**KEY_ENV, ENV_RESOURCE: "my_res"})
    assert exc.source == ENV_RESOURCE
    assert exc.code == "config-invalid"


# -- base URLs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "normalized"),
    [
        ("https://myres.services.ai.azure.com/anthropic", FOUNDRY_URL),
        ("  HTTPS://MyRes.Services.AI.Azure.com/anthropic//  ", FOUNDRY_URL),
        ("https://gw.example.com:8443/claude/anthropic/", "https://gw.example.com:8443/claude/anthropic/"),
        ("http://127.0.0.1:8080/anthropic", "http://127.0.0.1:8080/anthropic/"),
        ("http://[::1]:8080/anthropic", "http://[::1]:8080/anthropic/"),
    ],
)  # fmt: skip
def test_base_urls_are_normalized(value: str, normalized: str) -> None:
    parsed = normalize_base_url(value, "--base-url")
    assert parsed.url == normalized
    assert parsed.warnings == ()


def test_base_url_without_anthropic_is_a_warning_with_the_likely_fix() -> None:
    s = resolve(KEY_ENV, base_url="https://myres.services.ai.azure.com")
    assert s.base_url == "https://myres.services.ai.azure.com/"
    assert s.warnings == (
        "--base-url 'https://myres.services.ai.azure.com/' has no /anthropic in its path: on "
        "Foundry the Anthropic routes live under /anthropic/, and without it Azure answers 404 "
        "'Resource not found'; did you mean https://myres.services.ai.azure.com/anthropic/? "
        "(Ignore this for a gateway that maps its own routes.)",
    )


def test_openai_routes_and_hosts_are_named_in_the_warning() -> None:
    parsed = normalize_base_url("https://myres.openai.azure.com/openai/deployments/x", ENV_BASE_URL)
    assert parsed.warnings == (
        "ANTHROPIC_FOUNDRY_BASE_URL 'https://myres.openai.azure.com/openai/deployments/x/' has no "
        "/anthropic in its path (/openai/ is the route family of other models, not Claude's): on "
        "Foundry the Anthropic routes live under /anthropic/, and without it Azure answers 404 "
        "'Resource not found'; did you mean https://myres.openai.azure.com/anthropic/? (Ignore "
        "this for a gateway that maps its own routes.)",
        "ANTHROPIC_FOUNDRY_BASE_URL points at myres.openai.azure.com, an Azure OpenAI / Cognitive "
        "Services host; Claude is served from https://myres.services.ai.azure.com/anthropic/.",
    )


def test_plain_http_to_a_remote_host_is_a_warning() -> None:
    parsed = normalize_base_url("http://gw.example.com/anthropic/", "--base-url")
    assert parsed.warnings == (
        "--base-url uses plain http:// to gw.example.com: keys and tokens would cross the network "
        "unencrypted. Use https:// unless this is a local test server.",
    )


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "api.localhost"])
def test_plain_http_to_loopback_is_fine(host: str) -> None:
    assert normalize_base_url(f"http://{host}:9/anthropic/", "--base-url").warnings == ()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://myres.services.ai.azure.com/anthropic/v1",
         "--base-url 'https://myres.services.ai.azure.com/anthropic/v1' includes the API route "
         "(v1); the client appends /v1/... to the base URL itself. Stop the base URL before /v1: "
         "--base-url https://myres.services.ai.azure.com/anthropic/."),
        ("https://myres.services.ai.azure.com/anthropic/v1/messages",
         "--base-url 'https://myres.services.ai.azure.com/anthropic/v1/messages' includes the API "
         "route (v1/messages); the client appends /v1/... to the base URL itself. Stop the base "
         "URL before /v1: --base-url https://myres.services.ai.azure.com/anthropic/."),
        ("https://myres.services.ai.azure.com/v1/messages/count_tokens",
         "--base-url 'https://myres.services.ai.azure.com/v1/messages/count_tokens' includes the "
         "API route (v1/messages/count_tokens); the client appends /v1/... to the base URL itself. "
         "Stop the base URL before /v1: --base-url https://myres.services.ai.azure.com/anthropic/."),
        ("https://gw.example.com/claude/v1/",
         "--base-url 'https://gw.example.com/claude/v1/' includes the API route (v1); the client "
         "appends /v1/... to the base URL itself. Stop the base URL before /v1: --base-url "
         "https://gw.example.com/claude/."),
        ("https://myres.services.ai.azure.com/anthropic/v1/messages?x=1",
         "--base-url 'https://myres.services.ai.azure.com/anthropic/v1/messages?…' includes the "
         "API route (v1/messages); the client appends /v1/... to the base URL itself. Stop the "
         "base URL before /v1: --base-url https://myres.services.ai.azure.com/anthropic/."),
        ("myres.services.ai.azure.com/anthropic/",
         "--base-url 'myres.services.ai.azure.com/anthropic/' has no scheme (http:// or "
         "https://). Start it with https:// (Foundry and any remote endpoint speak HTTPS): "
         "--base-url https://myres.services.ai.azure.com/anthropic/."),
        ("ftp://myres.services.ai.azure.com/anthropic/",
         "--base-url 'ftp://myres.services.ai.azure.com/anthropic/' uses the scheme 'ftp'; only "
         "https:// (or http:// for a local test server) is possible. Give the endpoint as "
         "--base-url https://myres.services.ai.azure.com/anthropic/."),
        ("https://myres.services.ai.azure.com/anthropic/?api-version=2024-10-21",
         "--base-url 'https://myres.services.ai.azure.com/anthropic/?…' has a query or fragment; "
         "the base URL cannot carry parameters (this is not Azure OpenAI's ?api-version=). Remove "
         "everything from '?' or '#': --base-url https://myres.services.ai.azure.com/anthropic/; "
         "the key belongs in ANTHROPIC_FOUNDRY_API_KEY."),
        ("https://myres.services.ai.azure.com/anthropic/#top",
         "--base-url 'https://myres.services.ai.azure.com/anthropic/#…' has a query or fragment; "
         "the base URL cannot carry parameters (this is not Azure OpenAI's ?api-version=). Remove "
         "everything from '?' or '#': --base-url https://myres.services.ai.azure.com/anthropic/; "
         "the key belongs in ANTHROPIC_FOUNDRY_API_KEY."),
        ("https://user:hunter2hunter2@myres.services.ai.azure.com/anthropic/",
         "--base-url carries user information (user@host) in its URL. Remove it (the key belongs "
         "in ANTHROPIC_FOUNDRY_API_KEY): --base-url https://myres.services.ai.azure.com/anthropic/."),
        ("https:///anthropic/",
         "--base-url 'https:///anthropic/' has no host name. Give the endpoint as --base-url "
         "https://NAME.services.ai.azure.com/anthropic/."),
        ("https://-myres-.example.com/anthropic/",
         "--base-url 'https://-myres-.example.com/anthropic/' has no valid host name "
         "('-myres-.example.com'). Give the endpoint as --base-url "
         "https://NAME.services.ai.azure.com/anthropic/."),
        ("https://myres.services.ai.azure.com:99999/anthropic/",
         "--base-url 'https://myres.services.ai.azure.com:99999/anthropic/' has the port '99999', "
         "which is not a number from 1 to 65535. Give a port number, or none for the scheme's "
         "own: --base-url https://myres.services.ai.azure.com/anthropic/."),
    ],
)  # fmt: skip
def test_invalid_base_urls(value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        normalize_base_url(value, "--base-url")
    assert str(caught.value) == message
    assert "hunter2" not in str(caught.value)


# The whole class of malformed base URLs: each message quotes the value as typed, says what is
# wrong with it, and gives the URL to use; a server on this machine (the emulator) is plain HTTP.
MALFORMED_BASE_URLS = [
    # -- no scheme, or a mistyped one
    ("127.0.0.1:8800/anthropic/",
     "--base-url '127.0.0.1:8800/anthropic/' has no scheme (http:// or https://). Start it with "
     "http:// (a server on this machine, such as the emulator, speaks plain HTTP): --base-url "
     "http://127.0.0.1:8800/anthropic/."),
    ("localhost:8800/anthropic/",
     "--base-url 'localhost:8800/anthropic/' has no scheme (http:// or https://). Start it with "
     "http:// (a server on this machine, such as the emulator, speaks plain HTTP): --base-url "
     "http://localhost:8800/anthropic/."),
    ("[::1]:8800",
     "--base-url '[::1]:8800' has no scheme (http:// or https://). Start it with http:// (a "
     "server on this machine, such as the emulator, speaks plain HTTP): --base-url "
     "http://[::1]:8800/anthropic/."),
    ("//myres.services.ai.azure.com/anthropic/",
     "--base-url '//myres.services.ai.azure.com/anthropic/' has no scheme (http:// or https://). "
     "Start it with https:// (Foundry and any remote endpoint speak HTTPS): --base-url "
     "https://myres.services.ai.azure.com/anthropic/."),
    ("me:hunter2hunter2@gw.example.com/anthropic/?api-version=1",
     "--base-url '…@gw.example.com/anthropic/?…' has no scheme (http:// or https://). Start it "
     "with https:// (Foundry and any remote endpoint speak HTTPS): --base-url "
     "https://gw.example.com/anthropic/."),
    ("https:/myres.services.ai.azure.com/anthropic/",
     "--base-url 'https:/myres.services.ai.azure.com/anthropic/' misspells https:// as "
     "'https:/'. Write https:// in full: --base-url https://myres.services.ai.azure.com/anthropic/."),
    ("http//localhost:8800/anthropic/",
     "--base-url 'http//localhost:8800/anthropic/' misspells http:// as 'http//'. Write http:// "
     "in full: --base-url http://localhost:8800/anthropic/."),
    ("htps://myres.services.ai.azure.com/anthropic/",
     "--base-url 'htps://myres.services.ai.azure.com/anthropic/' uses the scheme 'htps'; only "
     "https:// (or http:// for a local test server) is possible. Give the endpoint as "
     "--base-url https://myres.services.ai.azure.com/anthropic/."),
    # -- whitespace and control characters
    ("", "--base-url is empty. Give the endpoint, e.g. --base-url "
     "https://NAME.services.ai.azure.com/anthropic/."),
    ("  \t ", "--base-url is empty. Give the endpoint, e.g. --base-url "
     "https://NAME.services.ai.azure.com/anthropic/."),
    ("https://myres.services.ai.azure.com /anthropic/",
     "--base-url 'https://myres.services.ai.azure.com /anthropic/' holds a space (character 36 "
     "of 47), which a URL cannot hold. Remove it: --base-url "
     "https://myres.services.ai.azure.com/anthropic/."),
    ("https://my res.example.com/anthropic/",
     "--base-url 'https://my res.example.com/anthropic/' holds a space (character 11 of 37), "
     "which a URL cannot hold. Remove it: --base-url https://myres.example.com/anthropic/."),
    ("http://127.0.0.1:8800/anthropic\t/",
     "--base-url 'http://127.0.0.1:8800/anthropic\\t/' holds a tab (character 32 of 33), which "
     "a URL cannot hold. Remove it: --base-url http://127.0.0.1:8800/anthropic/."),
    ("https://myres.services.ai.azure.com/\nanthropic/",
     "--base-url 'https://myres.services.ai.azure.com/\\nanthropic/' holds a line break "
     "(character 37 of 47), which a URL cannot hold. Remove it: --base-url "
     "https://myres.services.ai.azure.com/anthropic/."),
    ("https://myres.services.ai.azure.com/\u200banthropic/",
     "--base-url 'https://myres.services.ai.azure.com/\\u200banthropic/' holds a control or "
     "formatting character (character 37 of 47), which a URL cannot hold. Remove it: --base-url "
     "https://myres.services.ai.azure.com/anthropic/."),
    # -- port junk
    ("http://localhost:88OO/anthropic/",
     "--base-url 'http://localhost:88OO/anthropic/' has the port '88OO', which is not a number "
     "from 1 to 65535. Give a port number, or none for the scheme's own: --base-url "
     "http://localhost/anthropic/."),
    ("http://127.0.0.1:0/anthropic/",
     "--base-url 'http://127.0.0.1:0/anthropic/' has the port '0', which is not a number from 1 "
     "to 65535. Give a port number, or none for the scheme's own: --base-url "
     "http://127.0.0.1/anthropic/."),
    ("https://gw.example.com:8443:1/anthropic/",
     "--base-url 'https://gw.example.com:8443:1/anthropic/' has the port '8443:1', which is not "
     "a number from 1 to 65535. Give a port number, or none for the scheme's own: --base-url "
     "https://gw.example.com:8443/anthropic/."),
    ("http://[::1]:x/anthropic/",
     "--base-url 'http://[::1]:x/anthropic/' has the port 'x', which is not a number from 1 to "
     "65535. Give a port number, or none for the scheme's own: --base-url "
     "http://[::1]/anthropic/."),
]  # fmt: skip


@pytest.mark.parametrize(("value", "message"), MALFORMED_BASE_URLS)
def test_a_malformed_base_url_is_quoted_as_typed_with_what_to_give(
    value: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        normalize_base_url(value, "--base-url")
    assert str(caught.value) == message
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("value", "warning"),
    [
        ("https://myres.services.ai.azure.com/anthropic/anthropic/",
         "--base-url 'https://myres.services.ai.azure.com/anthropic/anthropic/' has the path "
         "/anthropic/anthropic/, but a Foundry resource serves the Anthropic routes under "
         "/anthropic/ alone; did you mean https://myres.services.ai.azure.com/anthropic/?"),
        ("https://myres.services.ai.azure.com/api/anthropic",
         "--base-url 'https://myres.services.ai.azure.com/api/anthropic/' has the path "
         "/api/anthropic/, but a Foundry resource serves the Anthropic routes under /anthropic/ "
         "alone; did you mean https://myres.services.ai.azure.com/anthropic/?"),
    ],
)  # fmt: skip
def test_a_wrong_path_on_a_foundry_host_is_a_warning_with_the_right_one(
    value: str, warning: str
) -> None:
    assert normalize_base_url(value, "--base-url").warnings == (warning,)


def test_a_gateway_may_map_its_own_path_to_anthropic() -> None:
    assert normalize_base_url("https://gw.example.com/api/anthropic/", "--base-url").warnings == ()


def test_the_suggested_url_is_accepted_as_given() -> None:
    for value, message in MALFORMED_BASE_URLS:
        suggested = message.rsplit(" ", 1)[1].rstrip(".")
        if suggested.startswith("http") and "NAME" not in suggested:
            assert normalize_base_url(suggested, "--base-url").url == suggested, value


# -- deployments ----------------------------------------------------------------------------------


def test_deployments_are_deduplicated_in_order_and_may_be_comma_separated() -> None:
    s = resolve(KEY_ENV, resource="myres", deployments=["b", "a,b", " c ", "a"])
    assert s.deployments == ("b", "a", "c")


def test_no_deployment_given_means_the_run_discovers_them() -> None:
    settings = resolve(KEY_ENV, resource="myres", deployments=[])
    assert settings.deployments == () and settings.discovers_deployments
    named = resolve(KEY_ENV, resource="myres", deployments=["mine"])
    assert named.deployments == ("mine",) and not named.discovers_deployments


@pytest.mark.parametrize("name", ["my deployment", "x" * 65, "clau/de"])
def test_invalid_deployment_names(name: str) -> None:
    exc = error(KEY_ENV, resource="myres", deployments=[name])
    assert exc.source == "--deployment"
    assert exc.problem.endswith("is not a valid deployment name.")
    assert exc.fix == (
        "Deployment names are 1 to 64 letters, digits, '.', '_' and '-': use the name shown under "
        "Deployments in the Foundry portal, one --deployment per name."
    )


@pytest.mark.parametrize("given", [[""], ["  "], ["a", ""]])
def test_an_empty_deployment_is_refused_not_taken_for_discovery(given: list[str]) -> None:
    exc = error(KEY_ENV, resource="myres", deployments=given)
    assert exc.source == "--deployment"
    assert exc.problem.endswith("is empty.")
    assert "leave --deployment out" in exc.fix


@pytest.mark.parametrize("given", ["a,,b", "a,", ",a", "a, ,b"])
def test_an_empty_name_between_commas_is_refused(given: str) -> None:
    exc = error(KEY_ENV, resource="myres", deployments=[given])
    assert exc.problem.endswith("holds an empty name between its commas.")
    assert exc.fix.startswith("Separate deployment names with single commas")


@pytest.mark.parametrize(
    ("url", "kind", "position"),
    [
        ("https://myres.services.ai.azure.com/anth ropic/", "a space", 41),
        ("https://myres.services.ai.azure.com/\nanthropic/", "a line break", 37),
        ("https://myres.services.ai.azure.com\t/anthropic/", "a tab", 36),
        ("https://myres\u200b.services.ai.azure.com/anthropic/", "a control or formatting character", 14),
        ("https://myres.services.ai.azure.com/anthropic/\x00", "a control or formatting character", 47),
        ("https://myres.services.ai.azure.com/\u00a0anthropic/", "a control or formatting character", 37),
    ],
)  # fmt: skip
def test_a_base_url_with_whitespace_or_control_characters_is_refused(
    url: str, kind: str, position: int
) -> None:
    for options, env, source in (
        ({"base_url": url}, KEY_ENV, "--base-url"),
        ({}, {**KEY_ENV, ENV_BASE_URL: url}, ENV_BASE_URL),
    ):
        exc = error(env, **options)
        assert exc.source == source
        assert exc.problem.endswith(
            f" holds {kind} (character {position} of {len(url)}), which a URL cannot hold."
        )
        assert "\n" not in str(exc)  # one paragraph


@pytest.mark.parametrize(
    ("variable", "value", "kind"),
    [
        (ENV_API_KEY, "abcd efgh-0123456789", "a space"),
        (ENV_API_KEY, "abcdefgh-0123456789\u200b", "an invisible formatting character"),
        (ENV_UNPRIVILEGED_TOKEN, "eyJhbGciOi\nJIUzI1NiJ9.e30.sig", "a line break or control character"),
        (ENV_UNPRIVILEGED_TOKEN, "eyJhbGciOiJIUzI1NiJ9 .e30.sig", "a space"),
    ],
)  # fmt: skip
def test_a_credential_with_a_space_or_an_invisible_character_is_refused(
    variable: str, value: str, kind: str
) -> None:
    exc = error({**KEY_ENV, variable: value}, resource="myres")
    assert exc.source == variable
    assert exc.problem.startswith(f"{variable} holds {kind} (character ")
    for piece in value.split():
        assert piece[:8] not in str(exc)


def test_the_rbac_probes_token_is_a_secret_of_the_run_in_every_mode(tmp_path: Path) -> None:
    token = mint_test_token(extra={"canary": "RBAC-DO-NOT-LEAK"})
    env = {**KEY_ENV, ENV_UNPRIVILEGED_TOKEN: token}
    cassettes = write_cassette_set(tmp_path / "set")
    for options in (
        {"resource": "myres"},
        {},
        {"mode": "replay", "cassettes": str(cassettes)},
    ):
        s = resolve(env, **options)
        assert token in s.secrets(), options
        assert token not in repr(s)


# -- auth modes -----------------------------------------------------------------------------------


def test_a_key_means_both_key_headers() -> None:
    s = resolve(KEY_ENV, resource="myres")
    assert s.auth_modes == (AuthMode.API_KEY, AuthMode.X_API_KEY)
    assert (s.api_key, s.api_key_source, s.entra_source) == (CANARY_KEY, ENV_API_KEY, None)


def test_a_token_variable_adds_entra() -> None:
    s = resolve({**KEY_ENV, ENV_ENTRA_TOKEN: CANARY_TOKEN}, resource="myres")
    assert s.auth_modes == (AuthMode.API_KEY, AuthMode.X_API_KEY, AuthMode.ENTRA)
    assert (s.entra_token, s.entra_source) == (CANARY_TOKEN, EntraSource.ENV_TOKEN)


def test_auth_narrows_and_keeps_the_given_order() -> None:
    env = {**KEY_ENV, ENV_ENTRA_TOKEN: CANARY_TOKEN}
    s = resolve(env, resource="myres", auth=["x-api-key", "API-KEY", "x-api-key"])
    assert (s.auth_modes, s.auth_explicit) == ((AuthMode.X_API_KEY, AuthMode.API_KEY), True)
    assert s.entra_source is None
    assert s.secrets() == (CANARY_KEY, CANARY_TOKEN)  # unused, still scrubbed


def test_explicit_entra_without_a_token_consults_azure_identity_later() -> None:
    s = resolve(resource="myres", auth=["entra"])
    assert (s.auth_modes, s.entra_source, s.entra_token) == (
        (AuthMode.ENTRA,), EntraSource.AZURE_IDENTITY, None,
    )  # fmt: skip


def test_entra_is_never_a_default_without_a_token() -> None:
    s = resolve(KEY_ENV, resource="myres")
    assert AuthMode.ENTRA not in s.auth_modes


@pytest.mark.parametrize("auth", [["api-key"], ["x-api-key", "entra"]])
def test_key_auth_without_a_key(auth: list[str]) -> None:
    exc = error(resource="myres", auth=auth)
    named = " ".join(f"--auth {a}" for a in auth if a != "entra")
    assert (exc.code, exc.source) == ("config-missing", ENV_API_KEY)
    assert str(exc) == (
        f"{named} needs an API key, and ANTHROPIC_FOUNDRY_API_KEY is not set. Set "
        "ANTHROPIC_FOUNDRY_API_KEY to a key from the resource's Keys and Endpoint page (keys are "
        "never taken from flags), or use --auth entra."
    )


def test_no_credentials_at_all() -> None:
    exc = error(resource="myres")
    assert (exc.code, exc.source) == ("config-missing", ENV_API_KEY)
    assert str(exc) == (
        "No credentials are configured for the endpoint (ANTHROPIC_FOUNDRY_API_KEY and "
        "FOUNDRY_CONFORMANCE_ENTRA_TOKEN are unset). Set ANTHROPIC_FOUNDRY_API_KEY (from the "
        "resource's Keys and Endpoint page), or FOUNDRY_CONFORMANCE_ENTRA_TOKEN (e.g. from `az "
        "account get-access-token --resource https://cognitiveservices.azure.com --query "
        "accessToken -o tsv`), or pass --auth entra to use DefaultAzureCredential."
    )


def test_unknown_auth_mode_lists_the_valid_ones() -> None:
    exc = error(KEY_ENV, resource="myres", auth=["bearer"])
    assert str(exc) == (
        "--auth 'bearer' is not one of the valid values. Use one of: api-key, x-api-key, entra."
    )
    assert exc.source == "--auth"


def test_emulator_auth_can_be_narrowed() -> None:
    s = resolve(auth=["entra"])
    assert (s.auth_modes, s.entra_source) == ((AuthMode.ENTRA,), EntraSource.EMULATOR_MINT)


# -- the Entra token variable and the scope ------------------------------------------------------


def test_a_bearer_prefix_is_dropped() -> None:
    s = resolve({ENV_ENTRA_TOKEN: f"Bearer {CANARY_TOKEN}"}, resource="myres")
    assert s.entra_token == CANARY_TOKEN
    assert s.notes == (
        "FOUNDRY_CONFORMANCE_ENTRA_TOKEN starts with 'Bearer ': the prefix is dropped.",
    )


def test_json_in_the_token_variable_is_an_error() -> None:
    exc = error({ENV_ENTRA_TOKEN: '{"accessToken": "' + CANARY_TOKEN + '"}'}, resource="myres")
    assert exc.source == ENV_ENTRA_TOKEN
    assert str(exc) == (
        "FOUNDRY_CONFORMANCE_ENTRA_TOKEN holds JSON, not a token (the whole output of az account "
        "get-access-token?). Store only the token: FOUNDRY_CONFORMANCE_ENTRA_TOKEN=$(az account "
        "get-access-token --resource https://cognitiveservices.azure.com --query accessToken -o "
        "tsv)."
    )


def test_an_unreadable_token_is_sent_anyway_with_a_warning() -> None:
    s = resolve({ENV_ENTRA_TOKEN: "opaque-token-value"}, resource="myres")
    assert s.entra_source is EntraSource.ENV_TOKEN
    assert s.warnings == (
        "FOUNDRY_CONFORMANCE_ENTRA_TOKEN is not a readable JWT (a JWT has 3 dot-separated "
        "segments, this has 1); it is sent as is, and the Entra checks will show how the endpoint "
        "answers.",
    )


def test_an_expired_token_is_a_warning() -> None:
    token = mint_test_token(expires_at=datetime(2025, 12, 31, 23, 0, tzinfo=UTC))
    s = resolve({ENV_ENTRA_TOKEN: token}, resource="myres")
    assert s.warnings == (
        "The token in FOUNDRY_CONFORMANCE_ENTRA_TOKEN expired at 2025-12-31T23:00:00+00:00 (Entra "
        "tokens last about an hour): fetch a new one right before the run.",
    )


def test_the_scope_follows_the_token_when_not_given() -> None:
    token = mint_test_token(audience="https://ai.azure.com")
    s = resolve({ENV_ENTRA_TOKEN: token}, resource="myres")
    assert s.entra_scope == AI_AZURE_SCOPE
    assert s.notes == (
        "--entra-scope not given: using https://ai.azure.com/.default, the audience of the token "
        "in FOUNDRY_CONFORMANCE_ENTRA_TOKEN.",
    )


def test_a_token_for_another_scope_than_the_given_one_is_a_warning() -> None:
    token = mint_test_token(audience="https://ai.azure.com")
    s = resolve({ENV_ENTRA_TOKEN: token}, resource="myres", entra_scope=COGNITIVE_SERVICES_SCOPE)
    assert s.entra_scope == COGNITIVE_SERVICES_SCOPE
    assert s.warnings == (
        "The token in FOUNDRY_CONFORMANCE_ENTRA_TOKEN is for https://ai.azure.com, not "
        "https://cognitiveservices.azure.com/.default: Foundry will refuse it (the Entra checks "
        "send it, and the report says why); get one with `az account get-access-token --resource "
        "https://cognitiveservices.azure.com --query accessToken -o tsv`.",
    )


def test_a_token_for_azure_resource_manager_says_how_to_get_the_right_one() -> None:
    token = mint_test_token(audience="https://management.azure.com")
    s = resolve({ENV_ENTRA_TOKEN: token}, resource="myres")
    assert s.entra_scope == COGNITIVE_SERVICES_SCOPE
    (warning,) = s.warnings
    assert warning.startswith(
        "The token in FOUNDRY_CONFORMANCE_ENTRA_TOKEN is for https://management.azure.com, not "
        "https://cognitiveservices.azure.com/.default: Foundry will refuse it"
    )
    assert (
        "`az account get-access-token --resource https://cognitiveservices.azure.com --query "
        "accessToken -o tsv`"
    ) in warning


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://cognitiveservices.azure.com",
         "--entra-scope 'https://cognitiveservices.azure.com' is a resource (audience), not a "
         "scope: a scope ends in /.default (az account get-access-token --resource takes the form "
         "without it). Use --entra-scope https://cognitiveservices.azure.com/.default; the known "
         "scopes are https://cognitiveservices.azure.com/.default, https://ai.azure.com/.default."),
        ("cognitiveservices.azure.com/.default",
         "--entra-scope 'cognitiveservices.azure.com/.default' is not an https URL ending in "
         "/.default. Use --entra-scope https://cognitiveservices.azure.com/.default; the known "
         "scopes are https://cognitiveservices.azure.com/.default, https://ai.azure.com/.default."),
        ("http://ai.azure.com/.default",
         "--entra-scope 'http://ai.azure.com/.default' is not an https URL ending in /.default. "
         "Use --entra-scope https://ai.azure.com/.default; the known scopes are "
         "https://cognitiveservices.azure.com/.default, https://ai.azure.com/.default."),
    ],
)  # fmt: skip
def test_invalid_scopes(value: str, message: str) -> None:
    exc = error(KEY_ENV, resource="myres", entra_scope=value)
    assert (str(exc), exc.source) == (message, "--entra-scope")


def test_a_custom_scope_is_accepted() -> None:
    assert (
        validate_scope(" https://example.org/app/.default ", SCOPES)
        == "https://example.org/app/.default"
    )


@pytest.mark.parametrize(
    ("scope", "other"),
    [
        (COGNITIVE_SERVICES_SCOPE, AI_AZURE_SCOPE),
        (AI_AZURE_SCOPE, COGNITIVE_SERVICES_SCOPE),
        ("https://AI.azure.com/.default", COGNITIVE_SERVICES_SCOPE),
        ("https://example.org/.default", COGNITIVE_SERVICES_SCOPE),
    ],
)
def test_alternate_scope(scope: str, other: str) -> None:
    assert alternate_scope(scope, SCOPES) == other


# -- numbers, suite, select ----------------------------------------------------------------------


def test_numbers_given_as_text_are_parsed() -> None:
    s = resolve(KEY_ENV, resource="myres", max_requests="5", max_tokens_budget=7, timeout="2.5")
    assert (s.max_requests, s.max_tokens_budget, s.timeout) == (5, 7, 2.5)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("max_requests", 0, "--max-requests '0' is not a whole number of at least 1. "
         "Give a number like --max-requests 200."),
        ("max_requests", "many", "--max-requests 'many' is not a whole number of at least 1. "
         "Give a number like --max-requests 200."),
        ("max_tokens_budget", -1, "--max-tokens '-1' is not a whole number of at least 1. "
         "Give a number like --max-tokens 20000."),
        ("timeout", 0, "--timeout '0' is not a number of seconds above 0 and at most 600. "
         "Give a value like --timeout 30."),
        ("timeout", "601", "--timeout '601' is not a number of seconds above 0 and at most 600. "
         "Give a value like --timeout 30."),
        ("timeout", "nan", "--timeout 'nan' is not a number of seconds above 0 and at most 600. "
         "Give a value like --timeout 30."),
        ("timeout", "soon", "--timeout 'soon' is not a number of seconds above 0 and at most "
         "600. Give a value like --timeout 30."),
        ("max_latency_ms", "fast", "--max-latency-ms 'fast' is not a number of milliseconds above "
         "0 and at most 600000. Give a value like --max-latency-ms 2000."),
        ("max_ttft_ms", "-3", "--max-ttft-ms '-3' is not a number of milliseconds above 0 and at "
         "most 600000. Give a value like --max-ttft-ms 2000."),
        ("max_cassette_age", "x", "--max-cassette-age 'x' is not a whole number of at least 0. "
         "Give a number like --max-cassette-age 30."),
    ],
)  # fmt: skip
def test_invalid_numbers(option: str, value: object, message: str) -> None:
    exc = error(KEY_ENV, resource="myres", **{option: value})
    assert str(exc) == message
    flag = {"max_tokens_budget": "max_tokens"}.get(option, option)
    assert exc.source == "--" + flag.replace("_", "-")


def test_latency_thresholds_are_read_as_milliseconds() -> None:
    s = resolve(KEY_ENV, resource="myres", max_latency_ms="1500", max_ttft_ms=250)
    assert (s.max_latency_ms, s.max_ttft_ms) == (1500.0, 250.0)
    assert resolve(KEY_ENV, resource="myres").max_latency_ms is None


def test_an_unknown_selection_is_a_configuration_error() -> None:
    exc = error(KEY_ENV, resource="myres", select=["MSG-BASIC,NOPE-1"])
    assert exc.source == "--select"
    assert str(exc) == (
        "--select 'NOPE-1' names no check of the catalog. Give a check ID (--select MSG-BASIC), "
        "an ID prefix (--select AUTH-) or an area: endpoint, auth, messages, correlation, "
        "rate-limits, unsupported, deployments, api, hosting, rules, capabilities, sdk, health."
    )


@pytest.mark.parametrize(
    ("variable", "value", "kind"),
    [
        (ENV_API_KEY, "abcd\nefgh-0123456789", "a line break or control character"),
        (ENV_API_KEY, "abcd\tefgh-0123456789", "a line break or control character"),
        (ENV_API_KEY, "clé-0123456789abcdef", "a non-ASCII character"),
        (ENV_ENTRA_TOKEN, "eyJhbGciOi\r\nJIUzI1NiJ9.e30.sig", "a line break or control character"),
    ],
)
def test_a_credential_no_header_can_carry_is_refused_without_showing_it(
    variable: str, value: str, kind: str
) -> None:
    exc = error({variable: value}, resource="myres")
    assert exc.source == variable
    assert exc.problem.startswith(f"{variable} holds {kind} (character ")
    assert "which no HTTP header can carry" in exc.problem
    assert exc.fix.startswith(f"Set {variable} to ")
    for fragment in value.replace("\r", "\n").replace("\t", "\n").split("\n"):
        assert not fragment or fragment[:6] not in str(exc)


def test_a_replay_does_not_judge_a_credential_it_never_sends(tmp_path: Path) -> None:
    cassettes = write_cassette_set(tmp_path / "set")
    s = resolve({ENV_API_KEY: "abcd\nefgh-0123456789"}, mode="replay", cassettes=str(cassettes))
    assert s.kind is Mode.REPLAY


def test_suite_and_select() -> None:
    s = resolve(KEY_ENV, resource="myres", suite="SMOKE", select=["AUTH-X-API-KEY,auth", "auth"])
    assert (s.suite, s.select) == (Suite.SMOKE, ("AUTH-X-API-KEY", "auth"))
    exc = error(KEY_ENV, resource="myres", suite="quick")
    assert str(exc) == (
        "--suite 'quick' is not one of the valid values. Use one of: smoke, standard, full."
    )


# -- secrets ---------------------------------------------------------------------------------------


def test_secrets_are_not_in_repr_or_str() -> None:
    s = resolve({**KEY_ENV, ENV_ENTRA_TOKEN: CANARY_TOKEN}, resource="myres")
    assert s.secrets() == (CANARY_KEY, CANARY_TOKEN)
    for text in (repr(s), str(s)):
        assert CANARY_KEY not in text and CANARY_TOKEN not in text


@pytest.mark.parametrize(
    ("env", "options"),
    [
        ({ENV_BASE_URL: CANARY_KEY}, {}),
        ({ENV_BASE_URL: f"{FOUNDRY_URL}?api-key={CANARY_KEY}"}, {}),
        ({ENV_BASE_URL: f"https://x:{CANARY_KEY}@myres.services.ai.azure.com/anthropic/"}, {}),
        ({ENV_RESOURCE: f"{CANARY_KEY}.x"}, {}),
        ({ENV_RESOURCE: CANARY_TOKEN}, {}),
        ({}, {"base_url": f"https://{CANARY_KEY}/v1/messages"}),
        ({}, {"resource": "myres", "entra_scope": CANARY_TOKEN}),
        ({}, {"resource": "myres", "deployments": [f"{CANARY_KEY} x"]}),
        ({}, {"resource": "myres", "auth": [CANARY_KEY]}),
        ({}, {"resource": "myres", "timeout": CANARY_KEY}),
        ({ENV_RESOURCE: "a", ENV_BASE_URL: "b"}, {}),
        ({}, {"resource": "myres", "auth": ["api-key"]}),
    ],
)  # fmt: skip
def test_no_secret_reaches_an_error_message(env: dict[str, str], options: dict[str, Any]) -> None:
    full_env = {ENV_API_KEY: CANARY_KEY, ENV_ENTRA_TOKEN: CANARY_TOKEN, **env}
    if options.get("auth") == ["api-key"]:
        del full_env[ENV_API_KEY]
    exc = error(full_env, **options)
    for text in (str(exc), exc.problem, exc.fix, exc.source, repr(exc)):
        assert CANARY_KEY not in text
        assert CANARY_TOKEN not in text


def test_no_secret_reaches_a_note_or_warning() -> None:
    env = {
        ENV_API_KEY: CANARY_KEY,
        ENV_ENTRA_TOKEN: f"Bearer {CANARY_TOKEN}",
        ENV_RESOURCE: "myres",
    }
    s = resolve(env, base_url=f"http://gw.example.com/{CANARY_KEY}")
    assert s.notes and s.warnings
    for text in (*s.notes, *s.warnings):
        assert CANARY_KEY not in text and CANARY_TOKEN not in text


# -- properties -----------------------------------------------------------------------------------

RESOURCE_NAMES = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9-]{0,62}[A-Za-z0-9]\Z")


@given(RESOURCE_NAMES)
def test_valid_resource_names_are_accepted(name: str) -> None:
    assert validate_resource_name(name, "--resource") == name
    s = resolve(KEY_ENV, resource=name)
    assert s.base_url == f"https://{name}.services.ai.azure.com/anthropic/"


@given(st.text())
def test_resource_validation_raises_only_config_errors(value: str) -> None:
    try:
        validate_resource_name(value, ENV_RESOURCE)
    except ConfigError as exc:
        assert exc.source == ENV_RESOURCE
        assert "\n" not in str(exc)  # one paragraph, control characters escaped


URL_PIECES = st.sampled_from(
    ["https://", "http://", "ftp://", "", "[", "]", ":", "@", "/", "?", "#", "%", " ", "\t",
     "anthropic", "v1", "messages", "myres.services.ai.azure.com", "127.0.0.1", "::1", "99999",
     "é", ".."]
)  # fmt: skip


@given(st.one_of(st.text(), st.lists(URL_PIECES, max_size=8).map("".join)))
@settings(max_examples=300)
@example("http://[::1]:8080/anthropic")
@example("https://h:0/anthropic")
def test_base_url_parsing_raises_only_config_errors(value: str) -> None:
    try:
        parsed = normalize_base_url(value, "--base-url")
    except ConfigError as exc:
        assert exc.source == "--base-url"
    else:
        assert parsed.url.endswith("/")
        assert normalize_base_url(parsed.url, "--base-url").url == parsed.url  # idempotent


@given(RESOURCE_NAMES, st.sampled_from(["", "/", "//"]))
def test_foundry_base_urls_round_trip(name: str, tail: str) -> None:
    parsed = normalize_base_url(
        f"https://{name}.services.ai.azure.com/anthropic{tail}", "--base-url"
    )
    assert parsed.url == f"https://{name.lower()}.services.ai.azure.com/anthropic/"
    assert parsed.resource == name.lower()
    assert parsed.warnings == ()


# Every option the command line passes through as text (the list ones are given as one value).
TEXT_OPTIONS = (
    "resource", "base_url", "entra_scope", "mode", "cassettes", "emulator", "suite", "report_dir",
    "max_requests", "max_tokens_budget", "timeout", "max_cassette_age", "max_latency_ms",
    "max_ttft_ms",
)  # fmt: skip
LIST_OPTIONS = ("deployments", "auth", "select")
ANY_TEXT = st.one_of(st.text(), st.text(alphabet=st.characters(codec="ascii"), max_size=30))


@given(
    option=st.sampled_from(TEXT_OPTIONS + LIST_OPTIONS),
    value=ANY_TEXT,
    mode=st.sampled_from([None, "live", "record", "replay", "emulator"]),
)
@settings(max_examples=400)
@example(option="cassettes", value="\x00", mode="replay")
@example(option="cassettes", value="\x00", mode="record")
@example(option="max_requests", value="१२", mode=None)  # Devanagari digits: int() takes them
@example(option="timeout", value="1e999", mode=None)
def test_any_option_value_resolves_or_is_a_config_error(
    option: str, value: str, mode: str | None
) -> None:
    """Whatever text reaches an option, the answer is Settings or a one-paragraph ConfigError."""
    options: dict[str, Any] = {"mode": mode, "resource": "myres"}
    if mode == "emulator":
        options["resource"] = None
    options[option] = [value] if option in LIST_OPTIONS else value
    try:
        resolve(KEY_ENV, **options)
    except ConfigError as exc:
        assert exc.problem and exc.fix and exc.source
        assert "\n" not in str(exc)  # one paragraph: control characters are shown escaped


@given(
    variable=st.sampled_from([ENV_API_KEY, ENV_ENTRA_TOKEN, ENV_RESOURCE, ENV_BASE_URL]),
    value=ANY_TEXT,
    mode=st.sampled_from([None, "live", "emulator"]),
)
@settings(max_examples=300)
@example(variable=ENV_ENTRA_TOKEN, value="Bearer {", mode="live")
@example(variable=ENV_ENTRA_TOKEN, value="a.b\x00.c", mode="live")
def test_any_environment_value_resolves_or_is_a_config_error(
    variable: str, value: str, mode: str | None
) -> None:
    env = {**KEY_ENV, variable: value}
    resource = "myres" if variable not in (ENV_RESOURCE, ENV_BASE_URL) and mode == "live" else None
    try:
        settings_ = resolve(env, mode=mode, resource=resource)
    except ConfigError as exc:
        assert "\n" not in str(exc)
        for secret in (value.strip(),) if variable in (ENV_API_KEY, ENV_ENTRA_TOKEN) else ():
            if len(secret) >= 8:
                assert secret not in str(exc)  # a credential never reaches a message
    else:
        # What will be sent in a header can be (a value only scrubbed, never sent, is not judged).
        for sent in (settings_.api_key, settings_.entra_token):
            assert sent is None or all(" " <= ch <= "~" for ch in sent)

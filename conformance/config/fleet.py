"""The fleet file (``run --fleet FILE``): many targets, each a run of its own (pure: reads a file).

A TOML file of ``[[target]]`` tables (and an optional ``[defaults]`` table every target starts
from), read strictly: every value typed, every unknown key an error naming it
(docs/fleet.example.toml draws every key). A target names its endpoint (``base_url`` or
``resource``, or ``emulator`` for the embedded emulator), optionally its ``deployments``, and
the *names* of the environment variables that hold its key and token (``api_key_env``,
``entra_token_env``) — never the secrets themselves. The other keys are the run's own flags.

Each target becomes the command line of one ``foundry-conformance run`` (``target_argv``) and the
environment it runs in (``target_env``): the run a fleet does for a target is the run the CLI
does for one endpoint. Flags given on the fleet's command line win over the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.constants import ENV_API_KEY, ENV_ENTRA_TOKEN
from ..core.errors import InputError
from ..core.strict_toml import StrictTable
from ..core.toml_files import TOMLFileError, read_toml
from .pacing import LABEL

MAX_FLEET_BYTES = 1 << 20
MAX_TARGETS = 256
RESERVED_NAMES = frozenset({"index.html", "fleet.json"})
VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


class FleetFileError(InputError):
    """A fleet file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Key:
    """A key of a ``[[target]]`` table: the flag it becomes and its TOML type."""

    flag: str
    kind: str  # text | texts | number | real | flag | path
    in_defaults: bool = True


KEYS: dict[str, Key] = {
    "base_url": Key("--base-url", "text", in_defaults=False),
    "resource": Key("--resource", "text", in_defaults=False),
    "emulator": Key("--emulator", "text", in_defaults=False),
    "deployments": Key("--deployment", "texts"),
    "auth": Key("--auth", "texts"),
    "entra_scope": Key("--entra-scope", "text"),
    "mode": Key("--mode", "text", in_defaults=False),
    "cassettes": Key("--cassettes", "path", in_defaults=False),
    "platform_profile": Key("--platform-profile", "path"),
    "suite": Key("--suite", "text"),
    "select": Key("--select", "texts"),
    "probe_rate_limit": Key("--probe-rate-limit", "flag"),
    "subscription": Key("--subscription", "text"),
    "max_rpm": Key("--max-rpm", "number"),
    "max_itpm": Key("--max-itpm", "number"),
    "max_otpm": Key("--max-otpm", "number"),
    "max_requests": Key("--max-requests", "number"),
    "max_tokens": Key("--max-tokens", "number"),
    "timeout": Key("--timeout", "real"),
    "jobs": Key("--jobs", "number"),
    "max_latency_ms": Key("--max-latency-ms", "real"),
    "max_ttft_ms": Key("--max-ttft-ms", "real"),
}
SECRET_NAMES = {"api_key_env": ENV_API_KEY, "entra_token_env": ENV_ENTRA_TOKEN}


@dataclass(frozen=True)
class TargetSpec:
    """One target: its name, its place in the file, and its keys (the defaults filled in)."""

    name: str
    position: int
    values: Mapping[str, Any]
    secret_env: Mapping[str, str]  # ANTHROPIC_FOUNDRY_API_KEY → the variable that holds it

    @property
    def subscription(self) -> str | None:
        value = self.values.get("subscription")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class FleetSpec:
    """A fleet file, read."""

    path: Path
    targets: tuple[TargetSpec, ...]

    def named(self, names: Sequence[str]) -> tuple[TargetSpec, ...]:
        """The targets ``--only`` names, in the file's order (``FleetFileError`` for a name the
        file does not have)."""
        known = {t.name for t in self.targets}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise FleetFileError(
                f"--only {unknown[0]}: {self.path} has no target of that name (it has "
                f"{', '.join(sorted(known))})."
            )
        return tuple(t for t in self.targets if t.name in set(names))


def load_fleet(path: Path) -> FleetSpec:
    """Read and validate the fleet file at ``path``."""
    try:
        document = read_toml(path, MAX_FLEET_BYTES, "a fleet file")
    except TOMLFileError as exc:
        raise FleetFileError(f"--fleet {path} {exc}.") from None
    return parse_fleet(document, path)


def parse_fleet(document: Any, path: Path) -> FleetSpec:
    """A ``FleetSpec`` from a parsed TOML document (paths in it are relative to ``path``'s
    folder)."""
    where = f"--fleet {path}"
    top = StrictTable(document, "", where, FleetFileError, "a fleet file")
    defaults = _values(top.sub("defaults", {}), where, path.parent, defaults=True)
    tables = top.subs("target")
    top.done()
    if not tables:
        raise FleetFileError(f"{where}: the file has no [[target]] table; add one per endpoint.")
    if len(tables) > MAX_TARGETS:
        raise FleetFileError(f"{where}: {len(tables)} targets, more than {MAX_TARGETS}.")
    targets: list[TargetSpec] = []
    for position, table in enumerate(tables):
        name = table.text("name")
        if not LABEL.fullmatch(name) or name in RESERVED_NAMES:
            raise FleetFileError(
                f"{where}: {table.path}.name {name!r} is not a target name (letters, digits, "
                "'.', '_' and '-', at most 64 characters, starting with a letter or digit): it "
                "names the target's report directory."
            )
        if any(t.name == name for t in targets):
            raise FleetFileError(f"{where}: two targets are named {name!r}; names must differ.")
        values = {**defaults, **_values(table, where, path.parent, defaults=False)}
        secret_env = {
            SECRET_NAMES[key]: values.pop(key) for key in list(SECRET_NAMES) if key in values
        }
        endpoints = [k for k in ("base_url", "resource", "emulator") if k in values]
        if len(endpoints) > 1:
            raise FleetFileError(
                f"{where}: {table.path} ({name}) sets both {endpoints[0]} and {endpoints[1]}; "
                "a target has one endpoint."
            )
        if not endpoints and values.get("mode") != "replay":
            raise FleetFileError(
                f"{where}: {table.path} ({name}) names no endpoint: set base_url or resource "
                '(or emulator = "default" for the embedded emulator).'
            )
        targets.append(TargetSpec(name, position, values, secret_env))
    return FleetSpec(path, tuple(targets))


def _values(table: StrictTable, where: str, folder: Path, *, defaults: bool) -> dict[str, Any]:
    """The keys of one table, typed; ``defaults``: the ``[defaults]`` table."""
    values: dict[str, Any] = {}
    if not defaults:
        table.text("name")
    for key in (*KEYS, *SECRET_NAMES):
        if key not in table.data:
            continue
        spec = KEYS.get(key)
        if spec is not None and defaults and not spec.in_defaults:
            raise FleetFileError(
                f"{where}: defaults.{key} names one target's endpoint; set it in each "
                "[[target]] table instead."
            )
        kind = spec.kind if spec is not None else "variable"
        values[key] = _typed(table, key, kind, folder)
    table.done()
    return values


def _typed(table: StrictTable, key: str, kind: str, folder: Path) -> Any:
    if kind == "texts":
        return table.texts(key)
    if kind == "number":
        return table.number(key)
    if kind == "flag":
        return table.flag(key)
    if kind == "real":
        value = table.data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FleetFileError(
                f"{table.where}: {table.path}.{key} has the wrong type ({value!r}): a number."
            )
        table.read.add(key)
        return value
    text = table.text(key)
    if kind == "path":
        return str(folder / text) if not Path(text).is_absolute() else text
    if kind == "variable" and not VARIABLE.fullmatch(text):
        raise FleetFileError(
            f"{table.where}: {table.path}.{key} {text!r} is not the name of an environment "
            "variable (the name, like PROD_FOUNDRY_KEY: never the secret itself)."
        )
    return text


def target_argv(target: TargetSpec, given: frozenset[str] = frozenset()) -> list[str]:
    """The ``run`` command line of ``target`` (without ``--report-dir``), leaving out the keys
    whose flags the fleet's own command line gives (``given``: flags, like ``--suite``)."""
    argv: list[str] = []
    for key, value in target.values.items():
        spec = KEYS[key]
        if spec.flag in given:
            continue
        if spec.kind == "texts":
            argv += [part for item in value for part in (spec.flag, str(item))]
        elif spec.kind == "flag":
            argv += [spec.flag] if value else []
        elif key == "emulator":
            argv.append(f"{spec.flag}={value}")  # --emulator takes an optional value
        else:
            argv += [spec.flag, str(value)]
    return argv


def target_env(target: TargetSpec, env: Mapping[str, str], drop: Sequence[str]) -> dict[str, str]:
    """The environment ``target`` runs in: ``env`` without the Foundry variables (``drop``),
    with the key and token read from the variables the file names. ``FleetFileError`` if one of
    them is not set: a target never borrows another's credential."""
    out = {k: v for k, v in env.items() if k not in drop}
    for variable, source in target.secret_env.items():
        value = env.get(source, "").strip()
        if not value:
            key = "api_key_env" if variable == ENV_API_KEY else "entra_token_env"
            raise FleetFileError(
                f"target {target.name}: {key} names {source}, which is not set (or empty) in "
                f"the environment. Export {source} with the target's "
                + ("key" if variable == ENV_API_KEY else "Entra ID token")
                + ", or remove the key from the fleet file."
            )
        out[variable] = value
    return out

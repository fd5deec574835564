"""Reading a platform profile: the built-in ``platform.toml``, extended by a user's file.

A user's ``--platform-profile FILE`` has the same tables as the built-in one; it is merged onto it
(tables key by key; ``[[model]]`` entries by ``id``, other arrays of tables by their natural key;
``api.betas.values`` grows, other arrays are replaced), so that a file with one ``[[model]]`` adds
that model the day it ships, without a release. A fact the user's file adds without a source cites
the file itself, with the confidence ``reported``. Every problem is a ``ProfileError`` naming the
file and the field. Pure: reads files, imports nothing beyond the standard library.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .platform import PlatformProfile
from .platform_build import SCHEMA, USER_SOURCE, ProfileError, build_profile
from .toml_files import TOMLFileError, read_toml

__all__ = ["ProfileError", "builtin_profile", "load_profile"]

BUILT_IN = "built-in"
# A profile is a page of facts; a file far larger than the built-in one is not a profile.
MAX_PROFILE_BYTES = 1 << 20
# Arrays of tables merged entry by entry, on these keys; api.betas.values grows.
MERGE_KEYS = {
    "model": ("id",),
    "api.version": ("value",),
    "api.unsupported": ("method", "path"),
    "api.hosted": ("api",),
    "entra.scope": ("value",),
    "roles.data_plane": ("name",),
    "errors.feature_refusal": ("pattern",),
}
GROWING_ARRAYS = ("api.betas.values",)


@cache
def builtin_profile() -> PlatformProfile:
    """The profile shipped with the package."""
    return build_profile(_builtin_document(), BUILT_IN, BUILT_IN)


def load_profile(path: Path | None = None) -> PlatformProfile:
    """The built-in profile, extended by the file at ``path`` (if given)."""
    if path is None:
        return builtin_profile()
    document = _merge(_builtin_document(), _read_user_file(path), "")
    return build_profile(document, f"{BUILT_IN} + {path}", str(path))


def _builtin_document() -> dict[str, Any]:
    text = resources.files("conformance.core").joinpath("platform.toml").read_text("utf-8")
    return tomllib.loads(text)


def _read_user_file(path: Path) -> dict[str, Any]:
    where = f"--platform-profile {path}"
    try:
        document = read_toml(path, MAX_PROFILE_BYTES, "a platform profile")
    except TOMLFileError as exc:
        raise ProfileError(f"{where} {exc}.") from None
    document.pop("schema", None) if document.get("schema") == SCHEMA else None
    if "schema" in document:
        raise ProfileError(f"{where}: schema is {document['schema']!r}, not {SCHEMA!r}.")
    _mark_user_facts(document)
    return document


def _mark_user_facts(document: dict[str, Any]) -> None:
    """Facts the user's file adds cite the file unless they cite a source of their own."""
    for model in document.get("model", []):
        if isinstance(model, dict):
            model.setdefault("source", [USER_SOURCE])
            model.setdefault("confidence", "reported")


def _merge(base: Any, extra: Any, path: str) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        merged = dict(base)
        for key, value in extra.items():
            sub = f"{path}.{key}" if path else key
            merged[key] = _merge(base[key], value, sub) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(extra, list):
        if path in MERGE_KEYS:
            return _merge_entries(base, extra, MERGE_KEYS[path], path)
        if path in GROWING_ARRAYS:
            return list(dict.fromkeys([*base, *extra]))
    return extra


def _merge_entries(base: list[Any], extra: list[Any], keys: tuple[str, ...], path: str) -> Any:
    merged = list(base)
    for entry in extra:
        if not isinstance(entry, dict):
            merged.append(entry)  # the validation names it
            continue
        key = tuple(entry.get(k) for k in keys)
        index = next(
            (i for i, e in enumerate(merged) if isinstance(e, dict) and _key(e, keys) == key), None
        )
        if index is None:
            merged.append(entry)
        else:
            merged[index] = _merge(merged[index], entry, path + "[]")
    return merged


def _key(entry: dict[str, Any], keys: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(entry.get(k) for k in keys)

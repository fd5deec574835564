"""What a fleet's fork server does once for all its targets names what the installed SDK has."""

from __future__ import annotations

import importlib

from conformance.plugin.warm import SDK_MODELS, prepare_runs


def test_every_sdk_model_named_exists_and_is_built_once_prepared() -> None:
    # An SDK release that renames one would make every target build it again, unseen.
    prepare_runs()
    for module, names in SDK_MODELS:
        for name in names:
            model = getattr(importlib.import_module(module), name)
            assert model.__pydantic_complete__, f"{module}.{name}"

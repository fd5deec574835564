"""A saved ``summary.json`` read back, for ``report`` and ``ticket``: parsed within bounds and every
field's type checked against the model, so that a file that is not a summary is one clear
``SummaryError`` (exit 2) naming the file and the field, instead of a failure inside a writer."""

from __future__ import annotations

import types
from dataclasses import MISSING, fields, is_dataclass
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from ..core.errors import SummaryError
from ..core.untrusted import MAX_FILE_BYTES, Node, UntrustedJSONError, parse_json, read_at_most
from .model import SCHEMA, VERDICTS, RunSummary

_HINTS: dict[type[Any], dict[str, Any]] = {}  # the model's field types, resolved once per class
_UNEDITED = "give the summary.json a run wrote, unedited, or re-run the suite to get a fresh one"


def summary_from_dict(data: Any, source: str = "the summary") -> RunSummary:
    """A ``RunSummary`` from parsed JSON; ``SummaryError`` names the field missing or wrong."""
    if not isinstance(data, dict):
        raise SummaryError(f"{source} holds JSON, but not an object: it is not a run summary")
    schema = data.get("schema")
    if schema != SCHEMA:
        raise SummaryError(
            f"{source} has the schema {schema!r}, not {SCHEMA!r}: it was not written by this "
            "version of foundry-conformance (re-run the suite to get a fresh summary.json)"
        )
    try:
        summary: RunSummary = _read(Node(data, source), RunSummary)
    except UntrustedJSONError as exc:
        raise SummaryError(f"{exc}; {_UNEDITED}") from None
    if summary.verdict not in VERDICTS:
        raise SummaryError(
            f"{source}: $.verdict is {summary.verdict!r}, not one of {', '.join(VERDICTS)}; "
            f"{_UNEDITED}"
        )
    return summary


def _read(node: Node, hint: Any) -> Any:
    """The value at ``node`` as the model's type ``hint`` says, checked all the way down."""
    if hint is Any:
        return node.value  # free-form details: any JSON the parser accepted
    if hint is str:
        return node.string()
    if hint is bool:
        return node.boolean()
    if hint is int:
        return node.integer()
    if hint is float:
        return node.number()
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        if node.value is None and type(None) in args:
            return None
        (inner,) = (arg for arg in args if arg is not type(None))
        return _read(node, inner)
    if origin is list:
        return [_read(item, args[0]) for item in node.items()]
    if origin is dict:
        return {key: _read(item, args[1]) for key, item in node.entries()}
    if isinstance(hint, type) and is_dataclass(hint):
        return _dataclass(node, hint)
    # The model gained a kind of field this reader does not know: tests/summary keeps them equal.
    raise TypeError(f"summary.load cannot read a field of type {hint!r}")


def _dataclass(node: Node, cls: type[Any]) -> Any:
    node.mapping()
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for spec in fields(cls):
        child = node.get(spec.name)
        if child is None:
            if spec.default is MISSING and spec.default_factory is MISSING:
                node.field(spec.name)  # raises: the field is missing
            continue
        values[spec.name] = _read(child, hints[spec.name])
    # Fields a newer writer added are ignored, as an older reader must.
    return cls(**values)


def _hints(cls: type[Any]) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = get_type_hints(cls)
    return hints


def load_summary(path: Path) -> RunSummary:
    """Read and validate ``path``; ``SummaryError`` with the reason and the fix otherwise."""
    return summary_from_dict(read_json_file(path), str(path))


def read_typed(data: Any, cls: type[Any], source: str) -> Any:
    """``data`` read as the dataclass ``cls`` (a fleet index, say), every field type-checked."""
    try:
        return _read(Node(data, source), cls)
    except UntrustedJSONError as exc:
        raise SummaryError(f"{exc}; {_UNEDITED}") from None


def read_json_file(path: Path) -> Any:
    """The JSON document at ``path``, read and parsed within bounds (``SummaryError`` if not)."""
    try:
        raw = read_at_most(path, MAX_FILE_BYTES)
    except FileNotFoundError:
        raise SummaryError(
            f"{path} does not exist; a run writes summary.json into its --report-dir "
            "(default reports/)"
        ) from None
    except OSError as exc:
        raise SummaryError(f"{path} cannot be read: {exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise SummaryError(
            f"{path} cannot be read: it is more than {MAX_FILE_BYTES:,} bytes, far more than a "
            "run writes; give the summary.json a run wrote"
        )
    try:
        data = parse_json(raw, source=str(path), max_bytes=MAX_FILE_BYTES)
    except UntrustedJSONError as exc:
        if exc.decode_error is not None:
            decode = exc.decode_error
            raise SummaryError(
                f"{path} is not JSON ({decode.msg}, line {decode.lineno}, at {exc.path}); is it "
                "truncated? Give the summary.json a run wrote"
            ) from None
        raise SummaryError(
            f"{path} cannot be read: {exc.path} {exc.problem}; {_UNEDITED}"
        ) from None
    return data

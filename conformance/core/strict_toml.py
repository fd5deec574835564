"""A TOML table read strictly: every value typed, every unknown key an error naming the field.

For the files users write by hand (a platform profile, a fleet file), where a typo must fail
loudly instead of being ignored. Pure.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar, cast

from .errors import InputError

T = TypeVar("T")
REQUIRED = object()


class StrictTable:
    """A TOML table being read: every value is typed, every unknown key is an error."""

    def __init__(
        self,
        data: Any,
        path: str,
        where: str,
        error: type[InputError] = InputError,
        kind: str = "this file",
    ) -> None:
        self.error = error
        self.kind = kind
        if not isinstance(data, dict):
            raise error(f"{where}: {path or 'the file'} must be a table.")
        self.data: dict[str, Any] = data
        self.path = path
        self.where = where
        self.read: set[str] = set()

    def _name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _get(self, key: str, kind: type[T] | tuple[type, ...], default: Any) -> Any:
        self.read.add(key)
        if key not in self.data:
            if default is REQUIRED:
                raise self.error(f"{self.where}: {self._name(key)} is missing.")
            return default
        value = self.data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(f"{self.where}: {self._name(key)} has the wrong type ({value!r}).")
        return value

    def text(self, key: str, default: Any = None) -> str:
        return cast(str, self._get(key, str, REQUIRED if default is None else default))

    def opt_str(self, key: str) -> str | None:
        return cast("str | None", self._get(key, str, None))

    def number(self, key: str, default: Any = None) -> int:
        return cast(int, self._get(key, int, REQUIRED if default is None else default))

    def flag(self, key: str, default: bool = False) -> bool:
        return cast(bool, self._get(key, bool, default))

    def texts(self, key: str, default: Any = None) -> tuple[str, ...]:
        values = self._get(key, list, REQUIRED if default is None else default)
        if not all(isinstance(v, str) for v in values):
            raise self.error(f"{self.where}: {self._name(key)} must be a list of strings.")
        return tuple(values)

    def sub(self, key: str, default: Any = None) -> StrictTable:
        value = self._get(key, dict, REQUIRED if default is None else default)
        return StrictTable(value, self._name(key), self.where, self.error, self.kind)

    def subs(self, key: str) -> list[StrictTable]:
        values = self._get(key, list, [])
        return [
            StrictTable(v, f"{self._name(key)}[{i}]", self.where, self.error, self.kind)
            for i, v in enumerate(values)
        ]

    def day(self, key: str) -> date | None:
        value = self._get(key, (str, date), None)
        if value is None or isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.error(
                f"{self.where}: {self._name(key)} is not a date ({value!r})."
            ) from None

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.read)
        if unknown:
            raise self.error(
                f"{self.where}: {self._name(unknown[0])} is not a field of {self.kind} (a typo?)."
            )

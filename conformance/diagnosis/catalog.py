"""Every diagnosis the harness can make, by stable code: the table the report and the ticket read.

The entries live in four themed modules (access, setup, protocol, platform) to keep each readable;
this module is the one place that assembles and looks them up. Their texts name platform facts as
``${placeholders}``, which ``DiagnosisInfo.filled`` fills from the run's platform profile.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import get_args

from ._entries_access import ACCESS_ENTRIES
from ._entries_platform import PLATFORM_ENTRIES
from ._entries_protocol import PROTOCOL_ENTRIES
from ._entries_setup import SETUP_ENTRIES
from .info import DiagnosisCode, DiagnosisInfo

ALL_CODES: tuple[DiagnosisCode, ...] = get_args(DiagnosisCode)


def _assemble() -> Mapping[str, DiagnosisInfo]:
    entries = (*SETUP_ENTRIES, *ACCESS_ENTRIES, *PROTOCOL_ENTRIES, *PLATFORM_ENTRIES)
    table = {info.code: info for info in entries}
    # A duplicate or a missing entry is a packaging mistake: fail at import, not in a report.
    if len(table) != len(entries) or set(table) != set(ALL_CODES):
        missing = sorted(set(ALL_CODES) - set(table))
        raise RuntimeError(f"diagnosis catalog out of step with DiagnosisCode: missing {missing}")
    return MappingProxyType({code: table[code] for code in ALL_CODES})


CATALOG: Mapping[str, DiagnosisInfo] = _assemble()


def lookup(code: str) -> DiagnosisInfo:
    """The catalog entry for ``code``; ``KeyError`` names the unknown code."""
    try:
        return CATALOG[code]
    except KeyError:
        raise KeyError(f"unknown diagnosis code {code!r}") from None


def is_known(code: str) -> bool:
    """Whether ``code`` is a diagnosis of the catalog."""
    return code in CATALOG

"""Compare two summary.json files apart from timings, IDs and ports (a refactoring's check).

    .venv/bin/python scripts/compare_summaries.py before/summary.json after/summary.json

Writes every difference that remains, then ``compared A B``; nothing before that line means the
two runs said the same. Exits 1 when they differ.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

VOLATILE = {
    "started_at", "finished_at", "duration_s", "elapsed_ms", "ttfb_ms", "request_id",
    "apim_request_id", "client_request_id", "seq", "median_ms", "max_ms", "ttft_ms", "total_ms",
    "stream_ms", "base_url", "recorded_at", "files_scanned", "recording_age_days",
}  # fmt: skip
PATTERNS = (
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
    (re.compile(r"req_[0-9A-Za-z]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "ID"),
    (re.compile(r"\d+(\.\d+)? ?ms"), "N ms"),
    (re.compile(r"#\d+ "), "#N "),
)  # fmt: skip


def normalised(value: Any) -> Any:
    """``value`` without the fields and the parts of text that differ from run to run."""
    if isinstance(value, dict):
        out = {k: normalised(v) for k, v in value.items() if k not in VOLATILE}
        if isinstance(out.get("requests"), list):
            # Every request of the run, in the order sent: under --jobs that order is the pool's.
            out["requests"] = sorted(out["requests"], key=lambda e: json.dumps(e, sort_keys=True))
        return out
    if isinstance(value, list):
        return [normalised(v) for v in value]
    if isinstance(value, str):
        for pattern, replacement in PATTERNS:
            value = pattern.sub(replacement, value)
    return value


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where ``a`` and ``b`` differ, as ``/path: a != b`` lines."""
    if type(a) is not type(b):
        return [f"{path}: {a!r:.200} != {b!r:.200}"]
    if isinstance(a, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                out.append(f"{path}/{key}: only in {'the second' if key not in a else 'the first'}")
            else:
                out += differences(a[key], b[key], f"{path}/{key}")
        return out
    if isinstance(a, list):
        out = [f"{path}: {len(a)} items != {len(b)} items"] if len(a) != len(b) else []
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            out += differences(x, y, f"{path}[{i}]")
        return out
    return [] if a == b else [f"{path}: {a!r:.200} != {b!r:.200}"]


def main(first: str, second: str) -> int:
    a, b = (normalised(json.loads(Path(p).read_text("utf-8"))) for p in (first, second))
    found = differences(a, b)
    sys.stdout.write("".join(line + "\n" for line in found) + f"compared {first} {second}\n")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))

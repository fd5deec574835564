#!/usr/bin/env python3
"""Regenerate the shipped cassette sets by recording the embedded emulator.

    .venv/bin/python scripts/record_shipped_cassettes.py            # every set
    .venv/bin/python scripts/record_shipped_cassettes.py emulator-default

Each set is a ``--mode record`` run of the standard suite against an emulator started here with
one profile, written to ``cassettes/<label>/`` and labelled ``source: emulator:<profile>`` in its
``metadata.json``, so that ``foundry-conformance run --mode replay --cassettes
cassettes/emulator-default`` works on a fresh clone. The run authenticates with the emulator's
documented development key and a minted test token; both are scrubbed like any secret, and the
run's own secret scan (exit 4) guarantees neither reaches the files.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# label → emulator profile, and the exit status the recording run must end with
SETS = {
    "emulator-default": ("default", 0),
    "emulator-api-key-rejected": ("api-key-rejected", 1),
}
FOUNDRY_VARIABLES = (
    "ANTHROPIC_FOUNDRY_API_KEY",
    "ANTHROPIC_FOUNDRY_RESOURCE",
    "ANTHROPIC_FOUNDRY_BASE_URL",
    "FOUNDRY_CONFORMANCE_ENTRA_TOKEN",
    "FOUNDRY_CONFORMANCE_UNPRIVILEGED_TOKEN",
)


def record(label: str, profile: str, expected: int, root: Path) -> bool:
    """Record one set; whether the run ended as expected."""
    from conformance.cli.main import main
    from conformance.core.constants import EMULATOR_DEV_API_KEY, ENV_API_KEY, ENV_ENTRA_TOKEN
    from conformance.core.jwt_claims import mint_test_token
    from conformance.emulator import parse_profiles
    from conformance.emulator.server import EmulatorServer
    from conformance.recording.meta import set_source

    for name in FOUNDRY_VARIABLES:
        os.environ.pop(name, None)
    os.environ[ENV_API_KEY] = EMULATOR_DEV_API_KEY
    os.environ[ENV_ENTRA_TOKEN] = mint_test_token()
    directory = root / label
    with (
        tempfile.TemporaryDirectory() as reports,
        EmulatorServer(parse_profiles(profile)) as server,
    ):
        args = ["run", "--mode", "record", "--base-url", server.base_url]
        args += ["--cassettes", str(directory), "--report-dir", reports]
        status = main(args)
    if status != expected:
        sys.stderr.write(f"{label}: the recording run exited {status}, not {expected}\n")
        return False
    set_source(directory, f"emulator:{profile}")
    sys.stdout.write(f"{label}: recorded into {directory}\n")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Record the sets named (all by default) into ``cassettes/``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("labels", nargs="*", help=f"sets to record: {', '.join(SETS)} (all)")
    parser.add_argument("--root", type=Path, default=ROOT / "cassettes", help="default cassettes/")
    args = parser.parse_args(argv)
    labels = args.labels or list(SETS)
    unknown = [label for label in labels if label not in SETS]
    if unknown:
        parser.error(f"unknown set {', '.join(unknown)}; known: {', '.join(SETS)}")
    # Every set is recorded even if an earlier one fails, so one run shows every problem.
    results = [record(label, *SETS[label], args.root) for label in labels]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())

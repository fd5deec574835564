"""Root conftest: loads pytester for the harness's own plugin tests; keeps artifacts out of collection.

The foundry-conformance plugin itself is registered once, by its ``pytest11`` entry point.
"""

pytest_plugins = ["pytester"]

collect_ignore = ["reports", "cassettes", "benchmarks", "docs"]

"""Root conftest: loads pytester for the harness's own plugin tests; keeps artifacts out of collection.

The foundry-conformance plugin itself is registered once, by its ``pytest11`` entry point.
"""

# pytester's in-process runs restore ``sys.modules`` afterwards: a module first imported inside one
# is imported again by the next test. httpx maps httpcore's exceptions to its own through a table
# built on first use, so a second httpcore would raise exceptions the table does not know (a raw
# ``httpcore.ConnectError`` instead of ``httpx.ConnectError``). Imported here, it is imported once.
import httpcore  # noqa: F401

pytest_plugins = ["pytester"]

collect_ignore = ["reports", "cassettes", "benchmarks", "docs"]

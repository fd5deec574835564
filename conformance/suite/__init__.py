"""The conformance checks: pytest tests, each tied to a catalog check ID by ``foundry_check``.

Run them with ``foundry-conformance run`` or ``pytest --pyargs conformance.suite``.
"""

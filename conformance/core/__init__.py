"""The vocabulary every layer imports, and that imports nothing above it: platform constants, the
check catalog, interactions and request tags, redaction, JWT claims, and every exception of the
harness (``errors``). Pure."""

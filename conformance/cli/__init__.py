"""The command line: ``foundry-conformance run | emulator | ticket | report`` (``main``); ``run``
resolves the configuration and runs the suite under pytest (``run``); ``emulator`` serves the
embedded emulator standalone (``emulator``)."""

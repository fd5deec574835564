"""The pytest plugin: ``hooks`` is what the ``pytest11`` entry point registers (the table of
contents); ``options``, ``keys``, ``recorder``, ``pool`` and the JUnit and pytest-html extras are
its parts, none of which imports ``hooks``."""

"""The ``mlaudit`` command line."""

"""pre-commit hook entry points (installed as ``mlaudit.hooks``). Each module: parse argv, call the library, print, exit code."""

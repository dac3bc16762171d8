"""pre-commit hook entry points, installed as ``mlaudit.hooks``.

Each module parses argv, calls the library, prints one line per problem and returns the exit code.
"""

"""Known vulnerabilities of pinned dependencies: pip-audit against OSV or a local advisory database, answers cached."""

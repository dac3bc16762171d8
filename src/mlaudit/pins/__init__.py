"""Pinned dependencies: one module per kind of source, ``sources.PinsScanner`` runs them.

requirements/constraints (``requirements_file``), pyproject (``pyproject_deps``)
with its lock files (``lock_files``), conda environments (``conda_env``), GitHub
workflows and composite actions (``workflows``), Dockerfiles (``dockerfile``),
Hugging Face downloads in Python (``hf_downloads``). Rules and options live in
``rules``.
"""

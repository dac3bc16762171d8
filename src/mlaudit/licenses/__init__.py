"""Licence compliance: facts normalised to SPDX, classes, and the compatibility engine.

``knowledge`` reads scancode's licence database (bundled with
``license-expression``), ``normalize`` turns messy strings, trove classifiers and
Hugging Face ids into SPDX expressions, ``classes`` sorts licences into the
classes the engine reasons about, ``compatibility`` gives a verdict with its
reason per component, and the ``*_facts`` modules collect components from
dependencies, the project, the model card and files (scancode).
"""

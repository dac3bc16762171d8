"""Normalisation of licence strings, classifiers, Hugging Face ids and licence files to SPDX."""

from __future__ import annotations

import pytest

from mlaudit.licenses.classes import LicenseClass, classify
from mlaudit.licenses.normalize import (
    drop_license_references,
    normalize_classifiers,
    normalize_expression,
    normalize_hub_license,
)
from mlaudit.licenses.project_facts import license_file_by_title


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Apache 2.0", "Apache-2.0"),
        ("Apache License, Version 2.0", "Apache-2.0"),
        ("MIT License", "MIT"),
        ("LGPL", "LGPL-2.0-or-later"),
        ("GPLv3+", "GPL-3.0-or-later"),
        ("gpl-2.0-plus", "GPL-2.0-or-later"),  # a scancode key
        ("MIT OR GPL-3.0-only", "MIT OR GPL-3.0-only"),
        ("(MIT OR apache 2.0) AND BSD-3-Clause", "(MIT OR Apache-2.0) AND BSD-3-Clause"),
        ("GPL-2.0-or-later WITH Classpath-exception-2.0", "GPL-2.0-or-later WITH Classpath-exception-2.0"),
        ("new BSD", "BSD-3-Clause"),
    ],
)
def test_messy_strings_become_spdx(raw: str, expected: str) -> None:
    normalized = normalize_expression(raw)
    assert normalized.expression == expected
    assert normalized.known


@pytest.mark.parametrize("raw", ["BSD-like", "Dual License", "UNKNOWN", "", "Foo Public Licence"])
def test_unknown_stays_unknown(raw: str) -> None:
    normalized = normalize_expression(raw)
    assert not normalized.known
    if normalized.expression is not None:
        assert classify(normalized.expression) is LicenseClass.UNKNOWN


def test_partly_unknown_expression_keeps_known_parts() -> None:
    normalized = normalize_expression("MIT AND Foo")
    assert normalized.expression == "MIT AND Foo" and normalized.unknown == ("Foo",)


def test_licence_text_in_license_field() -> None:
    text = "MIT License\n\nCopyright (c) 2024 someone\n\nPermission is hereby granted, free of charge, ..." * 3
    assert normalize_expression(text).expression == "MIT"
    assert normalize_expression("Some long custom terms\n" * 40).expression is None


def test_classifiers() -> None:
    result = normalize_classifiers(
        [
            "License :: OSI Approved :: MIT License",
            "License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)",
            "Programming Language :: Python",
        ]
    )
    assert result is not None and result.expression == "MIT OR GPL-2.0-or-later"
    assert normalize_classifiers(["Programming Language :: Python"]) is None
    lgpl = normalize_classifiers(["License :: OSI Approved :: GNU Library or Lesser General Public License (LGPL)"])
    assert lgpl is not None and lgpl.expression == "LGPL-2.0-or-later"


@pytest.mark.parametrize(
    ("hub_id", "name", "expected", "note"),
    [
        ("gpl-3.0", None, "GPL-3.0-only", "-only or -or-later"),
        ("openrail", None, "LicenseRef-OpenRAIL", "family"),
        ("llama2", None, "LicenseRef-scancode-llama-2-license-2023", ""),
        ("other", "llama3", "LicenseRef-Llama-3", ""),
        ("cc-by-nc-4.0", None, "CC-BY-NC-4.0", ""),
        ("apache-2.0", None, "Apache-2.0", ""),
    ],
)
def test_hub_ids(hub_id: str, name: str | None, expected: str, note: str) -> None:
    normalized = normalize_hub_license(hub_id, name)
    assert normalized.expression == expected
    assert note in " ".join(normalized.notes)


def test_other_without_name_is_unknown() -> None:
    normalized = normalize_hub_license("other", None, "https://example.com/terms")
    assert normalized.expression is None
    assert "license_name" in normalized.notes[0]


def test_unknown_hub_id_and_unknown_name() -> None:
    assert not normalize_hub_license("totally-made-up").known
    named = normalize_hub_license("other", "Acme Model Terms")
    assert named.expression == "LicenseRef-Acme-Model-Terms" and not named.known


def test_classes_of_model_licence_families() -> None:
    assert classify("LicenseRef-scancode-llama-2-license-2023") is LicenseClass.USE_RESTRICTED
    assert classify("LicenseRef-scancode-bigscience-open-rail-m") is LicenseClass.USE_RESTRICTED
    assert classify("CC-BY-NC-4.0") is LicenseClass.NON_COMMERCIAL
    assert classify("AGPL-3.0-only") is LicenseClass.NETWORK_COPYLEFT
    assert classify("LGPL-2.1-or-later") is LicenseClass.WEAK_COPYLEFT
    assert classify("ISC") is LicenseClass.PERMISSIVE  # from the ScanCode LicenseDB category


def test_licence_file_titles() -> None:
    assert license_file_by_title("  Apache License\n  Version 2.0, January 2004\n").expression == "Apache-2.0"
    gpl = license_file_by_title("GNU GENERAL PUBLIC LICENSE\n   Version 3, 29 June 2007\n")
    assert gpl is not None and gpl.expression == "GPL-3.0-only" and gpl.notes
    assert license_file_by_title("# SPDX-License-Identifier: MPL-2.0\n").expression == "MPL-2.0"
    assert license_file_by_title("All rights reserved by nobody in particular") is None


def test_scancode_licence_references_are_dropped() -> None:
    ref = "LicenseRef-scancode-unknown-license-reference"
    assert drop_license_references(ref) is None
    assert drop_license_references(f"({ref} AND ISC) AND MIT") == "ISC AND MIT"
    assert drop_license_references("GPL-2.0-only") == "GPL-2.0-only"

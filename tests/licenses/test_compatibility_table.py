"""The compatibility engine on a table of expression / intent cases with the verdict a reviewer expects."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mlaudit.licenses.compatibility import ComponentKind, Intent, Verdict, decide
from mlaudit.licenses.normalize import normalize_hub_license

DEP, FILE, MODEL, BASE, DATA, PROJ = (
    ComponentKind.DEPENDENCY,
    ComponentKind.FILE,
    ComponentKind.MODEL,
    ComponentKind.BASE_MODEL,
    ComponentKind.DATASET,
    ComponentKind.PROJECT,
)
P, R, C, D = Verdict.PASS, Verdict.NEEDS_REVIEW, Verdict.CONFLICT, Verdict.DENIED

APACHE = Intent(project_license="Apache-2.0")
MIT = Intent(project_license="MIT")
GPL2 = Intent(project_license="GPL-2.0-only")
GPL2_PLUS = Intent(project_license="GPL-2.0-or-later")
GPL3 = Intent(project_license="GPL-3.0-only")
AGPL3 = Intent(project_license="AGPL-3.0-only")
COMMERCIAL = Intent(project_license="Apache-2.0", commercial=True)
NONCOMMERCIAL = Intent(project_license="Apache-2.0", commercial=False)
NO_PROJECT = Intent()


def hub(license_id: str, name: str | None = None) -> str:
    expression = normalize_hub_license(license_id, name).expression
    assert expression is not None
    return expression


CASES: list[tuple[str, str, ComponentKind, Intent, Verdict, str]] = [
    # (case id, expression, kind, intent, expected verdict, a word the reason must contain)
    ("or-permissive-wins", "MIT OR GPL-3.0-only", DEP, MIT, P, "MIT chosen"),
    ("or-permissive-wins-apache", "MIT OR GPL-3.0-only", DEP, APACHE, P, "MIT"),
    ("gpl2-and-apache-conflict", "GPL-2.0-only AND Apache-2.0", DEP, MIT, C, "patent"),
    ("gpl2-and-apache-conflict-in-gpl2", "GPL-2.0-only AND Apache-2.0", DEP, GPL2, C, "Apache-2.0"),
    ("gpl2plus-and-apache-ok-in-gpl3", "GPL-2.0-or-later AND Apache-2.0", DEP, GPL3, P, ""),
    ("gpl3-and-apache-ok-in-gpl3", "GPL-3.0-only AND Apache-2.0", DEP, GPL3, P, ""),
    ("gpl3-dep-in-apache", "GPL-3.0-only", DEP, APACHE, C, "distributed as a whole"),
    ("gpl3-dep-in-mit", "GPL-3.0-or-later", DEP, MIT, C, "GPL-3.0-or-later"),
    (
        "gpl3-dep-not-distributed",
        "GPL-3.0-only",
        DEP,
        replace(APACHE, distribute=False),
        P,
        "not distributed",
    ),
    ("gpl3-dep-in-gpl3", "GPL-3.0-only", DEP, GPL3, P, "fits"),
    ("gpl2only-dep-in-gpl3", "GPL-2.0-only", DEP, GPL3, C, ""),
    ("gpl2plus-dep-in-gpl3", "GPL-2.0-or-later", DEP, GPL3, P, ""),
    ("gpl3-dep-in-gpl2plus", "GPL-3.0-only", DEP, GPL2_PLUS, P, ""),
    ("gpl-dep-unknown-project", "GPL-3.0-only", DEP, NO_PROJECT, R, "project licence is unknown"),
    ("apache-dep-in-gpl2", "Apache-2.0", DEP, GPL2, C, "GPL-2.0-only"),
    ("apache-dep-in-gpl2plus", "Apache-2.0", DEP, GPL2_PLUS, P, ""),
    ("apache-llvm-dep-in-gpl2", "Apache-2.0 WITH LLVM-exception", DEP, GPL2, P, ""),
    ("mit-dep-in-gpl2", "MIT", DEP, GPL2, P, ""),
    ("bsd4-dep-in-gpl3", "BSD-4-Clause", DEP, GPL3, C, "every GPL version"),
    ("lgpl21plus-dynamic", "LGPL-2.1-or-later", DEP, APACHE, P, "dynamically linked"),
    ("lgpl21plus-static", "LGPL-2.1-or-later", DEP, replace(APACHE, linking="static"), R, "statically"),
    ("lgpl3-dep-in-gpl2", "LGPL-3.0-only", DEP, GPL2, C, "share no GPL version"),
    ("lgpl21-dep-in-gpl2", "LGPL-2.1-only", DEP, GPL2, P, ""),
    ("mpl2-dep-in-gpl3", "MPL-2.0", DEP, GPL3, P, ""),
    ("epl2-dep-in-gpl3", "EPL-2.0", DEP, GPL3, C, "incompatible"),
    ("gpl-classpath-dep", "GPL-2.0-only WITH Classpath-exception-2.0", DEP, APACHE, P, "dynamically"),
    ("agpl-dep-in-mit", "AGPL-3.0-only", DEP, MIT, C, ""),
    ("agpl-dep-internal", "AGPL-3.0-only", DEP, replace(MIT, distribute=False), R, "network"),
    ("agpl-dep-in-agpl", "AGPL-3.0-or-later", DEP, AGPL3, P, ""),
    ("gpl3-dep-in-agpl", "GPL-3.0-only", DEP, AGPL3, P, ""),
    ("gpl-file-in-apache", "GPL-3.0-only", FILE, APACHE, C, "file `x`"),
    ("mpl-file-in-apache", "MPL-2.0", FILE, APACHE, P, "file-level"),
    ("project-itself-gpl", "GPL-3.0-only", PROJ, GPL3, P, "project itself"),
    ("cc-by-nc-weights-commercial", hub("cc-by-nc-4.0"), MODEL, COMMERCIAL, C, "commercial"),
    ("cc-by-nc-weights-noncommercial", hub("cc-by-nc-4.0"), MODEL, NONCOMMERCIAL, P, "non-commercial"),
    ("cc-by-nc-sa-dataset-commercial", hub("cc-by-nc-sa-4.0"), DATA, COMMERCIAL, C, "commercial"),
    ("cc-by-sa-dataset", hub("cc-by-sa-4.0"), DATA, COMMERCIAL, P, "share-alike"),
    ("odc-by-dataset", hub("odc-by"), DATA, COMMERCIAL, P, "permissive"),
    ("llama2-card-commercial", hub("llama2"), MODEL, COMMERCIAL, R, "use restrictions"),
    ("llama2-card-noncommercial", hub("llama2"), MODEL, NONCOMMERCIAL, P, "passed on"),
    ("llama3-other-name", hub("other", "llama3"), MODEL, COMMERCIAL, R, "use restrictions"),
    ("openrail-card-commercial", hub("openrail"), MODEL, COMMERCIAL, R, ""),
    ("openrail-card-noncommercial", hub("openrail"), MODEL, NONCOMMERCIAL, P, ""),
    (
        "openrail-dep-not-published",
        hub("openrail"),
        DEP,
        replace(NONCOMMERCIAL, distribute_weights=False),
        P,
        "own non-commercial use",
    ),
    ("bigscience-openrail-m", hub("bigscience-openrail-m"), MODEL, COMMERCIAL, R, ""),
    ("gemma-base-commercial", hub("gemma"), BASE, COMMERCIAL, R, ""),
    ("llama1-noncommercial-only", "LicenseRef-scancode-llama-license-2023", BASE, COMMERCIAL, C, ""),
    ("apache-weights", hub("apache-2.0"), MODEL, COMMERCIAL, P, "permissive"),
    ("gpl-weights-review", hub("gpl-3.0"), MODEL, COMMERCIAL, R, "untested"),
    ("unknown-id-review", "BSD-like", DEP, MIT, R, "not a licence mlaudit knows"),
    ("unknown-id-fail-policy", "BSD-like", DEP, replace(MIT, unknown="fail"), D, "fails unknown"),
    ("no-licence-review", "", DEP, MIT, R, "declares no licence"),
    ("proprietary-review", "LicenseRef-Proprietary", DEP, MIT, R, "proprietary"),
    ("deny-by-id", "MIT", DEP, replace(MIT, deny=frozenset({"mit"})), D, "deny list"),
    ("deny-by-class", "AGPL-3.0-only", DEP, replace(AGPL3, deny=frozenset({"network-copyleft"})), D, "deny"),
    ("allow-by-class", "GPL-3.0-only", DEP, replace(MIT, allow=frozenset({"strong-copyleft"})), P, "allow"),
    (
        "or-with-denied-alternative",
        "MIT OR GPL-3.0-only",
        DEP,
        replace(MIT, deny=frozenset({"gpl-3.0-only"})),
        P,
        "MIT",
    ),
    ("and-with-nc-commercial", "Apache-2.0 AND CC-BY-NC-4.0", MODEL, COMMERCIAL, C, "CC-BY-NC-4.0"),
    ("nested-dnf", "(MIT OR GPL-2.0-only) AND Apache-2.0", DEP, MIT, P, "MIT AND Apache-2.0"),
    (
        "nested-dnf-gpl2-project",
        "(GPL-2.0-only OR GPL-3.0-only) AND Apache-2.0",
        DEP,
        GPL3,
        P,
        "GPL-3.0-only",
    ),
    (
        "gpl-with-nc-inside",
        "GPL-3.0-only AND CC-BY-NC-4.0",
        DEP,
        replace(GPL3, commercial=False),
        C,
        "forbids",
    ),
    ("dual-project", "GPL-3.0-only", DEP, Intent(project_license="MIT OR GPL-3.0-or-later"), P, ""),
    ("unparsable", "MIT AND AND", DEP, MIT, R, ""),
]


@pytest.mark.parametrize(
    ("expression", "kind", "intent", "expected", "word"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_verdict(expression: str, kind: ComponentKind, intent: Intent, expected: Verdict, word: str) -> None:
    decision = decide(expression, name="x", kind=kind, intent=intent)
    assert decision.verdict is expected, decision.reason
    assert decision.reason  # every verdict carries its reason
    assert word in decision.reason


def test_table_is_large_enough_and_covers_every_verdict() -> None:
    assert len(CASES) >= 40
    assert {c[4] for c in CASES} == set(Verdict)


def test_conflict_reason_names_component_and_project() -> None:
    decision = decide("GPL-3.0-only", name="x", kind=DEP, intent=APACHE)
    assert decision.reason.startswith("GPL-3.0-only dependency `x` in an Apache-2.0 project distributed as a whole")

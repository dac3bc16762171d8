"""Map each data source to the privacy regimes it falls under and the obligations it triggers.

The map is the whole picture a reviewer needs (source × regime × status), not
only the failures: every row says which obligations apply and which are met.
GDPR (EU, EEA and UK GDPR): a lawful basis (Art. 6), a retention limit
(Art. 5(1)(e)), a DPIA for special-category data (Art. 9 and 35). CCPA/CPRA
(California): an opt-out of sale or sharing (§1798.120, §1798.135) and a
retention period (§1798.100(a)(3)).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlaudit.governance.data_register import LAWFUL_BASES, DataSource
from mlaudit.model import Finding, Severity

_EU = {
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
    "IS",
    "LI",
    "NO",
}
_GDPR = _EU | {"EU", "EEA", "UK", "GB", "EUROPE"}
_CCPA = {"US-CA", "CA-US", "CALIFORNIA", "US", "USA"}


def regimes_for(source: DataSource) -> list[str]:
    """The regimes whose law covers the source's jurisdictions (both when they are not stated)."""
    places = {j.upper() for j in source.jurisdictions}
    found = []
    if not places or places & _GDPR:
        found.append("GDPR")
    if not places or places & _CCPA:
        found.append("CCPA/CPRA")
    return found


def map_source(source: DataSource) -> tuple[list[dict[str, Any]], list[Finding]]:
    """The rows of the map for one source and the findings for its gaps."""
    rows: list[dict[str, Any]] = []
    findings: list[Finding] = []

    def gap(rule: str, severity: Severity, message: str, remediation: str) -> str:
        findings.append(
            Finding(
                rule=rule,
                severity=severity,
                path=source.file or None,
                key=source.name,
                message=f"data source '{source.name}': {message}",
                remediation=f"{source.file} {source.where}: {remediation}",
                details={"source": source.name},
            )
        )
        return message

    if source.personal_data is None:
        gap(
            "privacy.personal-data-unstated",
            Severity.MEDIUM,
            "does not say whether it holds personal data",
            "set personal_data = true or false",
        )
        rows.append(_row(source, "-", "unknown", ["state whether it holds personal data"], []))
        return rows, findings
    if not source.personal_data:
        rows.append(_row(source, "-", "not applicable", [], []))
        return rows, findings
    if not source.jurisdictions:
        gap(
            "privacy.no-jurisdiction",
            Severity.MEDIUM,
            "holds personal data but names no jurisdiction",
            'list the jurisdictions of the data subjects (jurisdictions = ["EU", "US-CA"])',
        )
    for regime in regimes_for(source):
        obligations: list[str] = []
        gaps: list[str] = []
        if regime == "GDPR":
            obligations.append("lawful basis (Art. 6)")
            if not source.lawful_basis:
                gaps.append(
                    gap(
                        "privacy.no-lawful-basis",
                        Severity.HIGH,
                        "personal data with no lawful basis",
                        f"set lawful_basis to one of {', '.join(LAWFUL_BASES)}",
                    )
                )
            obligations.append("retention limit (Art. 5(1)(e))")
            if source.special_categories:
                obligations.append("DPIA for special categories (Art. 9, 35)")
                if not source.dpia:
                    gaps.append(
                        gap(
                            "privacy.special-category-without-dpia",
                            Severity.HIGH,
                            f"special-category data ({', '.join(source.special_categories)}) with no DPIA",
                            "carry out a data protection impact assessment and set dpia to its reference",
                        )
                    )
        else:
            obligations.append("retention period (§1798.100)")
            if source.ccpa_sale_or_share:
                obligations.append("opt-out of sale/sharing (§1798.120, §1798.135)")
                if not source.ccpa_opt_out:
                    gaps.append(
                        gap(
                            "privacy.ccpa-no-opt-out",
                            Severity.HIGH,
                            "California consumers' data is sold or shared with no opt-out statement",
                            "set ccpa_opt_out to the opt-out statement or its link "
                            '("Do Not Sell or Share My Personal Information")',
                        )
                    )
        if not source.retention:
            gaps.append("no retention")
        rows.append(_row(source, regime, "gap" if gaps else "ok", obligations, gaps))
    if not source.retention:
        gap(
            "privacy.no-retention",
            Severity.MEDIUM,
            "personal data with no retention period",
            'set retention (e.g. "delete raw records 24 months after collection")',
        )
    return rows, findings


def _row(
    source: DataSource, regime: str, status: str, obligations: Sequence[str], gaps: Sequence[str]
) -> dict[str, Any]:
    return {
        "source": source.name,
        "dataset": source.dataset,
        "regime": regime,
        "status": status,
        "personal_data": source.personal_data,
        "categories": list(source.categories),
        "special_categories": list(source.special_categories),
        "jurisdictions": list(source.jurisdictions),
        "lawful_basis": source.lawful_basis,
        "retention": source.retention,
        "obligations": list(obligations),
        "gaps": list(gaps),
    }


def unregistered_datasets(card_path: str, datasets: Sequence[str], sources: Sequence[DataSource]) -> list[Finding]:
    """A finding for each dataset the model card names that no register entry maps to."""
    known = {s.dataset.lower() for s in sources if s.dataset} | {s.name.lower() for s in sources}
    return [
        Finding(
            rule="privacy.dataset-unregistered",
            severity=Severity.MEDIUM,
            path=card_path,
            key=d,
            message=f"the model card names dataset '{d}' but no data source in the register maps to it",
            remediation=f"add a [[tool.mlaudit.data_sources]] entry (or one in data-sources.yaml) with "
            f'dataset = "{d}" saying whether it holds personal data',
        )
        for d in datasets
        if d.lower() not in known
    ]

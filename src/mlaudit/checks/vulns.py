"""The ``vulns`` check: no pinned version has a known vulnerability (pip-audit over every source).

Against the public OSV service by default, or, with ``--advisory-db PATH`` /
``$MLAUDIT_ADVISORY_DB`` (or ``advisory_db`` on a developer's machine, see
``mlaudit.store.advisory_location``), against a local PyPA advisory-db snapshot
served on loopback (offline, reproducible); the report records which database,
which snapshot and who chose it. A database the audited repository chose for
itself (in CI, in a pull request, or inside its own tree) never answers.
Action/CLI only: a commit hook must not wait on a network service.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from mlaudit.checks.interface import Check, Outcome
from mlaudit.context import AuditContext
from mlaudit.errors import CheckError, CheckSkipped
from mlaudit.model import Pillar
from mlaudit.vulns.options import VulnsOptions


class VulnsCheck(Check[VulnsOptions]):
    """Known vulnerabilities (PYSEC/GHSA/CVE) of the exactly pinned Python packages."""

    id = "vulns"
    title = "Known vulnerabilities"
    pillar = Pillar.SECURITY
    options_type = VulnsOptions

    def run(self, ctx: AuditContext, options: VulnsOptions) -> Outcome:
        from mlaudit.pins.rules import PinRules, PinsOptions
        from mlaudit.pins.sources import PACKAGE_KINDS, PinsScanner
        from mlaudit.vulns.pip_audit_runner import pip_audit_available

        pins_options = ctx.section("pins", PinsOptions)
        scan = ctx.memo("pins-package-sources",
                        lambda: PinsScanner(ctx.root, PinRules(pins_options), PACKAGE_KINDS,
                                            on_read=ctx.record_read).scan(ctx.files))
        if scan.incomplete and not scan.pinned:
            raise CheckError("dependency sources could not be examined: " + "; ".join(scan.incomplete[:3]))
        if not scan.pinned and not scan.unjudgeable:
            raise CheckSkipped("no exactly pinned Python packages to audit (see the pins check)")
        if not pip_audit_available():
            raise CheckError("pip-audit is not installed: pip install 'mlaudit[full]'")
        db_path = ctx.advisory_db
        if db_path is None and ctx.offline:
            refused = "".join(f" ({note})" for note in ctx.advisory.notes)
            raise CheckSkipped("offline and no local advisory database: pass --advisory-db PATH "
                               f"or set MLAUDIT_ADVISORY_DB{refused}")
        if db_path is not None:
            return self._with_local_db(ctx, options, scan)
        database = {"kind": "service", "url": options.osv_url, "source": "default (no local database chosen)"}
        if ctx.advisory.notes:
            database["note"] = "; ".join(ctx.advisory.notes)
        return self._audit(ctx, options, scan, options.osv_url, database, database["url"],
                           max_age_s=options.cache_hours * 3600)

    def _with_local_db(self, ctx: AuditContext, options: VulnsOptions, scan: Any) -> Outcome:
        from mlaudit.vulns.advisory_db import snapshot_of
        from mlaudit.vulns.osv_server import LocalOsvServer

        path = ctx.advisory_db
        assert path is not None
        if not (path / "vulns").is_dir():
            raise CheckError(f"advisory database {path} has no vulns/ folder (expected a PyPA "
                             "advisory-db checkout: vulns/<package>/*.yaml)")
        snapshot = snapshot_of(path)
        with LocalOsvServer(path) as server:
            database = {"kind": "local", "path": str(path), "snapshot": snapshot, "served_at": server.query_url,
                        "source": ctx.advisory.source, "inside_repository": ctx.advisory.inside_repository}
            if ctx.advisory.notes:
                database["note"] = "; ".join(ctx.advisory.notes)
            outcome = self._audit(ctx, options, scan, server.query_url, database, f"{path}@{snapshot}",
                                  max_age_s=None)
            broken = tuple(server.database.problems())  # say which advisory file made a package unjudgeable
        return dataclasses.replace(outcome, incomplete=outcome.incomplete + broken) if broken else outcome

    def _audit(self, ctx: AuditContext, options: VulnsOptions, scan: Any, osv_url: str,
               database: dict[str, Any], cache_id: str, *, max_age_s: float | None) -> Outcome:
        from mlaudit.vulns.answer_cache import AnswerCache
        from mlaudit.vulns.audit import audit_pins, unjudgeable_findings

        cache = AnswerCache(ctx.cache_dir / "vulns" / "answers.json", cache_id, max_age_s=max_age_s)
        result = audit_pins(scan.pinned, osv_url, cache, options, database,
                            ctx.cache_dir / "vulns" / "pip-audit")
        unpinned = [f for f in scan.findings if f.rule in ("pins.unpinned", "pins.pyproject-range")]
        evidence = {
            "database": database,
            "sources": sorted({p.path for p in scan.pinned}),
            "packages_audited": result.audited,
            "answers_from_cache": result.from_cache,
            "pip_audit_runs": result.pip_audit_runs,
            "ignored": result.ignored,
            "not_audited": result.not_audited,
            "unpinned_not_audited": len(unpinned),
        }
        incomplete = tuple(result.errors) + tuple(scan.incomplete)
        if result.not_audited:
            incomplete += (f"{len(result.not_audited)} package(s) could not be audited: "
                           + "; ".join(result.not_audited[:5]),)
        where = database.get("path") or database.get("url")
        summary = (f"{len(result.findings)} known vulnerability(ies); {result.audited} of {result.total} "
                   f"pinned package version(s) checked against {where}")
        if database.get("note"):
            summary += f"; {database['note']}"
        if unpinned:
            summary += f"; {len(unpinned)} unpinned requirement(s) not audited (see pins)"
        findings = (*result.findings, *unjudgeable_findings(scan.unjudgeable))
        if scan.unjudgeable:
            summary += f"; {len(scan.unjudgeable)} local/VCS/URL requirement(s) not judged (never built)"
        return Outcome(findings=findings, summary=summary, evidence=evidence,
                       incomplete=incomplete)

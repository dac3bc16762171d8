"""Which licences a copyleft licence can carry: may code under ``inner`` join a work under ``outer``?

Only the GNU family has well-known combination rules, taken from the FSF's
licence list (https://www.gnu.org/licenses/license-list.html): GPLv2 does not
accept Apache-2.0's patent terms, GPLv3 does; "or later" lets the combination
move to a later version; AGPLv3 and GPLv3 may be combined (section 13); LGPL
code may be relicensed under the GPL; MPL-2.0 names the GPL as a secondary
licence; CC-BY-SA-4.0 is one-way compatible with GPLv3. Other copyleft pairs
are left for a human (``None``), never guessed compatible.
"""

from __future__ import annotations

import re

from mlaudit.licenses.classes import LicenseClass

_GNU = re.compile(r"^(A?GPL|LGPL)-(\d)\.\d(-only|-or-later|\+)?$")

# Permissive licences with terms the GPL versions treat as additional restrictions.
_NOT_IN_GPL2 = frozenset(
    {
        "Apache-2.0",
        "Apache-1.1",
        "Apache-1.0",
        "BSD-4-Clause",
        "OpenSSL",
        "MS-PL",
        "SSLeay-standalone",
        "PHP-3.01",
    }
)
_NOT_IN_GPL3 = frozenset({"Apache-1.1", "Apache-1.0", "BSD-4-Clause", "OpenSSL", "MS-PL", "PHP-3.01"})
_RESTRICTIVE = frozenset({LicenseClass.NON_COMMERCIAL, LicenseClass.USE_RESTRICTED, LicenseClass.PROPRIETARY})


def _gnu_versions(license_id: str) -> set[tuple[str, int]] | None:
    """The (family, major version) pairs a GNU licence id allows, or None for other licences."""
    match = _GNU.match(license_id)
    if match is None:
        return None
    family, major = match.group(1), int(match.group(2))
    later = match.group(3) in ("-or-later", "+")
    versions = range(major, 4) if later else (major,)
    return {(family, v) for v in versions}


def _gpl_versions_accepting(inner: str) -> set[int] | None:
    """GPL major versions under which code under the GNU licence ``inner`` may be combined."""
    versions = _gnu_versions(inner)
    if versions is None:
        return None
    out: set[int] = set()
    for family, major in versions:
        if family == "LGPL":
            # LGPLv2.x code may be conveyed under GPLv2 or later; LGPLv3 only under GPLv3.
            out.update({2, 3} if major == 2 else {3})
        else:
            out.add(major)
    return out


def can_carry(outer: str, outer_cls: LicenseClass, inner: str, inner_cls: LicenseClass) -> tuple[bool | None, str]:
    """Whether code under ``inner`` may be part of a whole under copyleft ``outer``, and why."""
    if outer == inner:
        return True, f"both are {outer}"
    if inner_cls is LicenseClass.UNKNOWN:
        return None, f"{inner} is unknown"
    if inner_cls in _RESTRICTIVE:
        return False, f"{inner}'s restrictions are additional restrictions {outer} forbids"
    outer_versions = _gnu_versions(outer)
    if outer_versions is None:
        if inner_cls is LicenseClass.PERMISSIVE:
            return True, f"{inner} is permissive"
        return None, f"no known rule combines {inner} with {outer}"
    # The whole may go out under any version the outer licence allows; one that fits is enough.
    majors = {v for family, v in outer_versions if family in ("GPL", "AGPL")}
    agpl = any(family == "AGPL" for family, _ in outer_versions)
    if inner_cls is LicenseClass.PERMISSIVE:
        base = inner.split(" WITH ")[0]
        if inner.endswith(" WITH LLVM-exception"):
            return True, "the LLVM exception makes Apache-2.0 compatible with GPLv2"
        usable = [m for m in majors if base not in (_NOT_IN_GPL2 if m < 3 else _NOT_IN_GPL3)]
        if usable:
            return True, f"{inner} is permissive and compatible with GPL version {max(usable)}"
        if base in _NOT_IN_GPL3:
            return False, f"{base}'s terms are incompatible with every GPL version"
        return False, f"{base}'s patent and indemnity terms are additional restrictions {outer} forbids"
    inner_gpl = _gpl_versions_accepting(inner.split(" WITH ")[0])
    if inner_gpl is not None:
        if inner.startswith("AGPL") and not agpl and 3 not in majors:
            return False, f"{inner} can only be combined with GPLv3 or AGPLv3 code"
        common = inner_gpl & majors
        if common:
            return True, f"both can be conveyed under GPL version {max(common)}"
        return False, f"{inner} and {outer} share no GPL version"
    base = inner.split(" WITH ")[0]
    if base == "MPL-2.0":
        return (
            (True, "MPL-2.0 names the GPL as a secondary licence")
            if majors & {2, 3}
            else (None, "MPL-2.0 with a non-GPL copyleft licence")
        )
    if base == "CC-BY-SA-4.0":
        return (
            (True, "CC-BY-SA-4.0 is one-way compatible with GPLv3")
            if 3 in majors
            else (False, "CC-BY-SA-4.0 is compatible with GPLv3 only")
        )
    if re.match(r"^(EPL|CDDL|MPL-1\.|OSL|CPL)", base):
        return False, f"the FSF lists {base} as incompatible with the GPL"
    return None, f"no known rule combines {inner} with {outer}"

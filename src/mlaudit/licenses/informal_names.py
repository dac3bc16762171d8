"""Informal licence names (``Apache 2.0``, ``GPLv3+``, ``new BSD``) that SPDX lists no alias for.

Names are compared after ``squash``: lower case, punctuation to spaces, filler
words (``license``, ``version``, ``the`` ...) dropped. Unversioned GNU names
follow the licences' own rule: no version named means any version may be
chosen (``GPL`` -> ``GPL-1.0-or-later``).
"""

from __future__ import annotations

import re

STOPWORDS = frozenset({"license", "licence", "licensed", "the", "software", "version", "under", "terms", "of"})

# Informal names (after ``squash``) that SPDX lists no alias for.
ALIASES: dict[str, str] = {
    "apache": "Apache-2.0",
    "apache 2": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache2": "Apache-2.0",
    "apache2.0": "Apache-2.0",
    "asl 2.0": "Apache-2.0",
    "apache v2": "Apache-2.0",
    "apache v2.0": "Apache-2.0",
    "mit": "MIT",
    "expat": "MIT",
    "mit expat": "MIT",
    "mit 0": "MIT-0",
    "mit no attribution": "MIT-0",
    "bsd": "LicenseRef-BSD-unspecified",
    "bsd 3 clause": "BSD-3-Clause",
    "3 clause bsd": "BSD-3-Clause",
    "new bsd": "BSD-3-Clause",
    "modified bsd": "BSD-3-Clause",
    "bsd 3": "BSD-3-Clause",
    "bsd3": "BSD-3-Clause",
    "bsd 2 clause": "BSD-2-Clause",
    "2 clause bsd": "BSD-2-Clause",
    "simplified bsd": "BSD-2-Clause",
    "freebsd": "BSD-2-Clause",
    "bsd 2": "BSD-2-Clause",
    "gpl": "GPL-1.0-or-later",
    "gnu gpl": "GPL-1.0-or-later",
    "gnu general public": "GPL-1.0-or-later",
    "gplv2": "GPL-2.0-only",
    "gpl v2": "GPL-2.0-only",
    "gpl 2": "GPL-2.0-only",
    "gpl2": "GPL-2.0-only",
    "gplv2+": "GPL-2.0-or-later",
    "gpl v2+": "GPL-2.0-or-later",
    "gpl 2+": "GPL-2.0-or-later",
    "gplv3": "GPL-3.0-only",
    "gpl v3": "GPL-3.0-only",
    "gpl 3": "GPL-3.0-only",
    "gpl3": "GPL-3.0-only",
    "gplv3+": "GPL-3.0-or-later",
    "gpl v3+": "GPL-3.0-or-later",
    "gpl 3+": "GPL-3.0-or-later",
    "lgpl": "LGPL-2.0-or-later",
    "gnu lgpl": "LGPL-2.0-or-later",
    "lgplv2": "LGPL-2.0-only",
    "lgplv2+": "LGPL-2.0-or-later",
    "lgpl 2.1": "LGPL-2.1-only",
    "lgplv2.1": "LGPL-2.1-only",
    "lgplv2.1+": "LGPL-2.1-or-later",
    "lgpl 2.1+": "LGPL-2.1-or-later",
    "lgplv3": "LGPL-3.0-only",
    "lgpl 3": "LGPL-3.0-only",
    "lgplv3+": "LGPL-3.0-or-later",
    "lgpl 3+": "LGPL-3.0-or-later",
    "agpl": "AGPL-3.0-only",
    "agplv3": "AGPL-3.0-only",
    "agplv3+": "AGPL-3.0-or-later",
    "gnu affero general public v3": "AGPL-3.0-only",
    "mpl 2.0": "MPL-2.0",
    "mpl2": "MPL-2.0",
    "mpl 2": "MPL-2.0",
    "mozilla public 2.0": "MPL-2.0",
    "psf": "PSF-2.0",
    "psfl": "PSF-2.0",
    "python foundation": "PSF-2.0",
    "psf 2.0": "PSF-2.0",
    "isc": "ISC",
    "iscl": "ISC",
    "zlib": "Zlib",
    "zlib libpng": "Zlib",
    "upl": "UPL-1.0",
    "public domain": "LicenseRef-Public-Domain",
    "cc0": "CC0-1.0",
    "cc0 1.0": "CC0-1.0",
    "unlicense": "Unlicense",
    "wtfpl": "WTFPL",
    "boost": "BSL-1.0",
    "proprietary": "LicenseRef-Proprietary",
    "other proprietary": "LicenseRef-Proprietary",
    "commercial": "LicenseRef-Proprietary",
    "all rights reserved": "LicenseRef-Proprietary",
}

NO_LICENSE = frozenset({"", "unknown", "none", "n/a", "na", "unlicensed", "not specified", "see license", "other"})
ASSUMED = {"apache": "Apache-2.0 assumed for an unversioned 'Apache' licence"}


def squash(text: str) -> str:
    """``text`` reduced to the words that name a licence."""
    words = re.sub(r"[^a-z0-9.+]+", " ", text.lower()).split()
    return " ".join(w for w in words if w not in STOPWORDS)


def informal_alias(text: str) -> str | None:
    """The SPDX id an informal licence name stands for, or None."""
    squashed = squash(text)
    return ALIASES.get(squashed) or ALIASES.get(squashed.replace(" ", ""))

"""Which text of a source file goes to scancode: comment and docstring blocks with licence wording, or the whole file."""

from __future__ import annotations

import pytest

from mlaudit.licenses.source_regions import licence_regions

APACHE_HEADER = (
    "# Copyright 2024 A\n#\n# Licensed under the Apache License, Version 2.0 (the \"License\");\n"
    "# you may not use this file except in compliance with the License.\n"
)


def test_a_shared_header_gives_the_same_text_whatever_the_code() -> None:
    one = licence_regions("a.py", APACHE_HEADER + "\nimport os\n\n# helper\ndef f():\n    return 1\n")
    two = licence_regions("pkg/b.py", APACHE_HEADER + "\nimport sys\nprint(sys.argv)\n")
    assert one is not None and two is not None
    assert one.text == two.text == APACHE_HEADER
    assert one.lines == (1, 2, 3, 4)


def test_a_shebang_or_coding_line_is_not_part_of_the_header() -> None:
    plain = licence_regions("a.py", APACHE_HEADER + "x = 1\n")
    script = licence_regions("b.py", "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n" + APACHE_HEADER + "x = 2\n")
    assert plain is not None and script is not None and plain.text == script.text
    assert script.lines == (3, 4, 5, 6)
    assert licence_regions("c.py", "#!/usr/bin/env python  # MIT licensed\n" + APACHE_HEADER) is None


def test_line_numbers_map_back_to_the_file() -> None:
    text = "#!/usr/bin/env python\nimport os\n\n" + APACHE_HEADER + "x = 1\n\n\n# SPDX-License-Identifier: MIT\n"
    regions = licence_regions("tool.py", text)
    assert regions is not None
    assert regions.file_line(1) == 4
    spdx_line = regions.text.splitlines().index("# SPDX-License-Identifier: MIT") + 1
    assert regions.file_line(spdx_line) == text.splitlines().index("# SPDX-License-Identifier: MIT") + 1
    assert regions.file_line(0) is None and regions.file_line(999) is None


def test_comment_blocks_without_licence_wording_are_left_out() -> None:
    regions = licence_regions("m.py", APACHE_HEADER + "\n# compute the answer\nx = 42\n")
    assert regions is not None and "answer" not in regions.text


@pytest.mark.parametrize(
    ("rel", "text", "kept"),
    [
        ("m.py", '"""Tools.\n\nLicensed under the MIT License.\n"""\nimport os\n', "Licensed under the MIT License."),
        ("k.c", "/*\n * Copyright (c) 2020 X\n * SPDX-License-Identifier: BSD-3-Clause\n */\nint x = 1;\n",
         "SPDX-License-Identifier: BSD-3-Clause"),
        ("u.js", "// Licensed under the MIT License.\nconst s = 'http://x';\n", "Licensed under the MIT License."),
        ("r.rs", "// Copyright 2020 Y, MIT licensed\nfn f<'a>(x: &'a str) -> &'a str { x }\n", "MIT licensed"),
        ("run.sh", "#!/bin/sh\n# Copyright 2021 Z, GPL-2.0\necho hi\n", "GPL-2.0"),
    ],
)
def test_comments_and_docstrings_of_each_language(rel: str, text: str, kept: str) -> None:
    regions = licence_regions(rel, text)
    assert regions is not None and kept in regions.text


@pytest.mark.parametrize(
    ("rel", "text"),
    [
        # licence wording in code, a string or after code on the same line: only the whole file will do
        ("m.py", 'BANNER = "Licensed under the Apache License"\n'),
        ("m.py", '# Copyright 2020 A\nHELP = """see the GPL"""\n'),
        ("k.c", '/* Copyright 2020 */\nconst char *s = "GPL";\n'),
        ("u.js", "// Copyright 2020\nconst s = `Apache licensed`;\n"),
        ("run.sh", '# Copyright 2020\necho "MIT"\n'),
        # wording split across two lines left out still counts
        ("run.sh", "# Copyright 2020 A\ncat <<EOF\npermission is\nhereby granted\nEOF\n"),
        # a file that does not tokenize, an unknown language, exotic line breaks
        ("m.py", '# Copyright 2020 A\ns = """never closed\n'),
        ("notes.md", "Copyright 2020 A\n"),
        ("m.py", "# Copyright 2020 A\x0c\n# MIT\n"),
    ],
)
def test_uncertain_files_go_whole(rel: str, text: str) -> None:
    assert licence_regions(rel, text) is None


def test_a_trailing_comment_keeps_its_whole_line() -> None:
    regions = licence_regions("m.py", "import os\nx = 1  # MIT licensed\n")
    assert regions is not None and regions.text == "x = 1  # MIT licensed\n" and regions.lines == (2,)


def test_a_comment_marker_inside_a_string_is_not_a_comment() -> None:
    # The "//" in the URL is code; its licence word makes the file go whole rather than being cut out.
    assert licence_regions("u.js", "const u = 'https://example.com/MIT';\n") is None
    regions = licence_regions("u.js", "const u = 'https://example.com/x';\n// Copyright 2020 A\n")
    assert regions is not None and regions.text == "// Copyright 2020 A\n"

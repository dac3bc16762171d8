"""Generated source trees with licence headers, for the licence scan's agreement test and bench_pr.

Source files in Python, C, JavaScript and shell carry a few distinct headers
(Apache-2.0 boilerplate, MIT and BSD notices, SPDX lines, a GPL notice, a
licence in a docstring, one in a string constant), around code that differs
from file to file; beside them full licence texts, a NOTICE and a model card.
Deterministic for a given seed.
"""

from __future__ import annotations

import random
from pathlib import Path

APACHE = """Copyright 2024 The Bench Authors. All rights reserved.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License."""

MIT_SHORT = """Copyright (c) 2023 Bench Contributors
Licensed under the MIT License. See LICENSE file in the project root for full license information."""

BSD_3 = """Copyright (c) 2022, Bench Labs
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.

3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE."""

GPL_NOTICE = """Copyright (C) 2021 Bench Hackers

This program is free software: you can redistribute it and/or modify
it under the terms of the GNU General Public License as published by
the Free Software Foundation, either version 3 of the License, or
(at your option) any later version.

This program is distributed in the hope that it will be useful,
but WITHOUT ANY WARRANTY; without even the implied warranty of
MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
GNU General Public License for more details.

You should have received a copy of the GNU General Public License
along with this program.  If not, see <https://www.gnu.org/licenses/>."""

SPDX_COPYRIGHT = """SPDX-FileCopyrightText: 2024 Bench Authors
SPDX-License-Identifier: Apache-2.0"""

HEADERS = {"apache": APACHE, "mit": MIT_SHORT, "bsd": BSD_3, "gpl": GPL_NOTICE, "spdx": SPDX_COPYRIGHT}
"""The distinct headers; each ``source_file`` uses one."""


def licence_text(key: str) -> str:
    """A full licence text from scancode's own data (``mit``, ``apache-2.0``, ``gpl-3.0``, ...)."""
    import licensedcode

    path = Path(licensedcode.__file__).parent / "data" / "licenses" / f"{key}.LICENSE"
    text = path.read_text(encoding="utf-8")
    return text.split("---", 2)[-1].lstrip("\n") if text.startswith("---") else text


def _commented(header: str, style: str) -> str:
    lines = header.splitlines()
    if style == "#":
        return "\n".join(f"# {line}".rstrip() for line in lines) + "\n"
    if style == "//":
        return "\n".join(f"// {line}".rstrip() for line in lines) + "\n"
    return "/*\n" + "\n".join(f" * {line}".rstrip() for line in lines) + "\n */\n"


def _python_body(rng: random.Random, index: int) -> str:
    names = ["alpha", "beta", "gamma", "delta", "theta", "kappa", "omega", "sigma"]
    parts = [f'"""Module {index}: helpers for the {rng.choice(names)} stage."""\n\nimport math\n']
    for number in range(rng.randint(3, 12)):
        name = f"{rng.choice(names)}_{index}_{number}"
        parts.append(
            f"\n\ndef {name}(value: float) -> float:\n"
            f'    """Scale ``value`` by {rng.randint(2, 99)}."""\n'
            f"    # keep the sign\n"
            f"    return math.copysign(abs(value) * {rng.randint(2, 99)}, value)\n"
        )
    return "".join(parts)


def _c_body(rng: random.Random, index: int) -> str:
    lines = ["#include <stdio.h>\n"]
    for number in range(rng.randint(3, 10)):
        lines.append(f"\n/* step {number} */\nint step_{index}_{number}(int x) {{\n"
                     f"    return x * {rng.randint(2, 99)}; // scale\n}}\n")
    return "".join(lines)


def _js_body(rng: random.Random, index: int) -> str:
    lines = []
    for number in range(rng.randint(3, 10)):
        lines.append(f"\n// step {number}\nexport function step{index}_{number}(x) {{\n"
                     f"  return `${{x}}-{rng.randint(2, 99)}`;\n}}\n")
    return "".join(lines)


def source_file(rng: random.Random, index: int) -> tuple[str, str]:
    """One source file: (relative path, content), with one of the headers or a special case."""
    variant = index % 12
    folder = f"src/pkg{index // 60:02d}"
    header = list(HEADERS)[index % len(HEADERS)]
    if variant in (0, 1, 2, 3, 4, 5):
        return f"{folder}/mod_{index}.py", _commented(HEADERS[header], "#") + "\n" + _python_body(rng, index)
    if variant == 6:
        return f"{folder}/kernel_{index}.c", _commented(HEADERS[header], "/*") + "\n" + _c_body(rng, index)
    if variant == 7:
        return f"{folder}/ui_{index}.js", _commented(HEADERS[header], "//") + "\n" + _js_body(rng, index)
    if variant == 8:
        body = _python_body(rng, index)
        return f"{folder}/doc_{index}.py", f'"""Tools.\n\n{MIT_SHORT}\n"""\n' + body.split('"""', 2)[2]
    if variant == 9:
        script = f"#!/bin/sh\n{_commented(HEADERS[header], '#')}\necho step {index}\n"
        return f"scripts/run_{index}.sh", script
    if variant == 10:  # a licence in a string constant: only the whole file will do
        return f"{folder}/about_{index}.py", (
            f'BANNER = "Licensed under the Apache License, Version 2.0"\n\n{_python_body(rng, index)}')
    return f"{folder}/plain_{index}.py", _python_body(rng, index)


def write_tree(root: Path, files: int, *, seed: int = 7) -> list[str]:
    """Write ``files`` source files and the licence documents under ``root``; returns the relative paths."""
    rng = random.Random(seed)
    written: list[str] = []
    for index in range(files):
        rel, text = source_file(rng, index)
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
        written.append(rel)
    documents = {
        "LICENSE": licence_text("apache-2.0"),
        "third_party/gpl/COPYING": licence_text("gpl-3.0"),
        "third_party/mit/LICENSE.txt": licence_text("mit"),
        "third_party/bsd/LICENSE": licence_text("bsd-new"),
        "NOTICE": "Bench\nCopyright 2024 The Bench Authors\n\nThis product includes software licensed under the "
                  "MIT License (third_party/mit).\n",
    }
    for rel, text in documents.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
        written.append(rel)
    return written

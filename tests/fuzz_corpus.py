"""Seeds and mutations for the parser fuzz test (``test_fuzz_parsers.py``, ``benchmarks/fuzz_parsers.py``)."""

from __future__ import annotations

import random

SEEDS: dict[str, list[bytes]] = {
    "pyproject.toml": [
        b'[project]\nname = "m"\ndependencies = ["jinja2==3.1.4", "numpy>=1"]\n'
        b'[tool.mlaudit]\nfail_on = "high"\n[tool.mlaudit.weights]\nmanifest = "weights.lock.json"\n',
        b'[tool.mlaudit.privacy]\nmax_file_mb = 1\n[[tool.mlaudit.data_sources]]\nname = "x"\n',
    ],
    "weights.lock.json": [
        b'{\n  "version": 1,\n  "serialization": {"hash_type": "sha256", "ignore_paths": []},\n'
        b'  "root_digest": {"sha256": "' + b"0" * 64 + b'"},\n  "resources": [\n'
        b'    {"name": "a.bin", "algorithm": "sha256", "digest": "' + b"a" * 64 + b'", "size": 1}\n  ]\n}\n',
    ],
    "requirements.txt": [b"jinja2==3.1.4 --hash=sha256:" + b"a" * 64 + b"\n-r other.txt\nnumpy>=1 ; python_version>'3'\n"
                         b"-e git+https://x/y#egg=z\n--index-url https://pypi.org/simple\n"],
    "poetry.lock": [b'[[package]]\nname = "jinja2"\nversion = "3.1.4"\n[metadata]\ncontent-hash = "x"\n'],
    "environment.yml": [b"name: e\ndependencies:\n  - python=3.11\n  - numpy=1.26.4=py311h\n  - pip:\n    - torch==2.1.0\n"],
    "Dockerfile": [b"ARG BASE=python:3.11\nFROM ${BASE} AS build\nRUN pip install torch==2.1 \\\n  numpy\n"
                   b"FROM python@sha256:" + b"a" * 64 + b"\n"],
    ".github/workflows/ci.yml": [b"on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                                 b"      - uses: actions/checkout@v4\n      - run: pip install torch\n"],
    "README.md": [b"---\nlicense: apache-2.0\ndatasets: [squad]\nmodel-index:\n- name: m\n  results:\n"
                  b"  - metrics: [{type: acc, value: 0.9}]\n---\n# Model\n"],
    "data-sources.yaml": [b"data_sources:\n- name: web\n  personal_data: true\n  regimes: [gdpr]\n  lawful_basis: consent\n"],
    "audit.jsonl": [b'{"hash":"x","prev":"' + b"0" * 64 + b'","seq":0,"status":"pass"}\n'],
    "event.json": [b'{"pull_request": {"number": 1, "base": {"sha": "' + b"b" * 40 + b'", "ref": "main"},'
                   b' "head": {"sha": "' + b"a" * 40 + b'", "ref": "x", "repo": {"full_name": "o/r"}}}}'],
    "stat-cache.json": [b'{"version": 1, "entries": {"a.bin": [1, 2, 3, 4, "' + b"a" * 64 + b'"]}}'],
    "CODEOWNERS": [b"* @org/team\n/models/ @alice\n# comment\n"],
    "report.json": [b'{"schema": 1, "status": "pass", "checks": []}'],
    "config.json": [b'{"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda", "module": '
                    b'"keras.layers", "config": {"function": {"class_name": "__lambda__", "config": {"code": "4wEA"}}}},'
                    b' {"class_name": "Dense", "module": "evil.mod", "registered_name": "x>y"}]}}'],
    "keras_metadata.pb": [b'\nY*W{"class_name": "Lambda", "config": {"name": "l", "function": ["4wEAAAAA", null, null]}}'],
    # a licence header seed (the project's own licence, split: the self-audit reads this file too)
    "licensed.py": [b'#!/usr/bin/env python\n# SPDX-License-Ident' b'ifier: Apache-2.0\n# Copyright (c) 2024 A\n"""Doc: MIT"""\n'
                    b"x = '# not a comment' + \"\"\"\n# still a string\n\"\"\"\n"],
    ".gitmodules": [b'[submodule "sub"]\n\tpath = sub\n\turl = https://example.com/sub.git\n'
                    b'[submodule "--upload-pack=touch x"]\n\tpath = -x\n\turl = ../../evil\n'],
}

_TOKENS = [b"[", b"]", b"{", b"}", b'"', b"'", b"\\", b"\x00", b"\xff", b"\xc3", b"\n", b"\r", b"=", b":", b",",
           b"<<<<<<< HEAD\n", b"=======\n", b"::error::x\n", "\u202e".encode(), b"${", b"@", b"--", b"- ", b"  ", b"\t",
           b"---\n", b"!!python/object:os.system", b"&a", b"*a", b"1e999", b"-0", b"9" * 40, b"\xed\xa0\x80"]


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One random mutation of ``data`` (or a deep-nesting or random input now and then)."""
    choice = rng.random()
    if choice < 0.05:
        opener = rng.choice([b"[", b"{\"a\":", b"a = [", b"- ", b"  - "])
        return opener * rng.choice([100, 1000, 20_000])
    if choice < 0.1:
        return rng.randbytes(rng.randint(0, 2000))
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(5)
        pos = rng.randint(0, len(out))
        if op == 0:
            out[pos:pos] = rng.choice(_TOKENS)
        elif op == 1 and out:
            del out[pos:pos + rng.randint(1, 16)]
        elif op == 2 and out:
            out[min(pos, len(out) - 1)] ^= 1 << rng.randrange(8)
        elif op == 3 and out:
            start = rng.randrange(len(out))
            out[pos:pos] = out[start:start + rng.randint(1, 64)] * rng.randint(1, 50)
        else:
            out = out[:pos]
    return bytes(out)

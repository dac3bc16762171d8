"""The reused option parser gives exactly what upstream's parser-per-line gives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import json, sys
from pip_requirements_parser import RequirementsFile
if sys.argv[2] == "fast":
    from mlaudit.pins.requirements_parser_speedup import install
    install()
parsed = RequirementsFile.from_file(sys.argv[1])
print(json.dumps(parsed.to_dict(), sort_keys=True, default=str))
"""

TRICKY = """\
--index-url https://example.invalid/simple
--extra-index-url https://a.invalid/simple
--extra-index-url https://b.invalid/simple
-r other.txt
-c constraints.txt
numpy==1.26.4 ; python_version >= "3.10"
requests[security]==2.31.0 \\
    --hash=sha256:aaaa \\
    --hash=sha256:bbbb
jinja2==3.1.4 --hash=sha256:cccc
-e .
foo @ file:///tmp/foo.whl
git+https://github.com/org/qux.git@v1.0#egg=qux
this is ( not valid
--install-option=--prefix=/x
torch>=2 --config-settings=a=b
"""


def test_same_result_as_upstream(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text(TRICKY)
    outputs = [
        subprocess.run([sys.executable, "-c", SCRIPT, str(path), mode], capture_output=True, text=True,
                       check=True).stdout
        for mode in ("upstream", "fast")
    ]
    assert outputs[0] == outputs[1]
    assert "sha256:aaaa" in outputs[0] and "sha256:cccc" in outputs[0]

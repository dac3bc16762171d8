"""Run a Python tool (pip, pip-audit) so that nothing from the audited checkout can run or configure it.

``python -m pip`` started in the checkout imports a ``pip/`` folder of the
checkout before the real pip (the current directory comes first on
``sys.path``), and a relative ``PYTHONPATH`` or ``PIP_FIND_LINKS`` entry
resolves against it. So the tool runs:

- from a fresh temporary directory (never the repository), with ``-P`` (no
  unsafe path first, Python 3.11+) and ``-E`` (no ``PYTHON*`` variables);
- with the ``PIP_*`` variables reduced to where the trusted runner says the
  index is (index URLs, certificates, proxy, timeouts), and no prompts.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence

# pip settings the runner may set for its network (a private mirror, a proxy); every other PIP_*
# variable (find-links, no-binary, editable, src dirs...) could change what pip builds, and is dropped.
_KEPT_PIP_VARIABLES = frozenset({
    "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST", "PIP_CERT", "PIP_CLIENT_CERT", "PIP_PROXY",
    "PIP_TIMEOUT", "PIP_RETRIES", "PIP_CACHE_DIR", "PIP_NO_CACHE_DIR", "PIP_CONFIG_FILE",
    "PIP_KEYRING_PROVIDER",
})


def python_module_command(module: str, *args: str) -> list[str]:
    """``python -m module args`` with this interpreter, never importing from the current directory."""
    flags = ["-E", "-P"] if sys.version_info >= (3, 11) else ["-E"]
    return [sys.executable, *flags, "-m", module, *args]


def tool_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) without ``PYTHON*`` and untrusted ``PIP_*`` variables."""
    env = {
        key: value
        for key, value in (os.environ if base is None else base).items()
        if not key.startswith("PYTHON") and (not key.startswith("PIP_") or key in _KEPT_PIP_VARIABLES)
    }
    env.update({"PIP_NO_INPUT": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    return env


def run_python_tool(
    module: str, args: Sequence[str], *, timeout: float, cwd: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m module args`` isolated from the checkout; raises what ``subprocess.run`` raises.

    ``cwd`` must be a directory mlaudit created (a temporary one by default), never the repository.
    """
    command = python_module_command(module, *args)
    if cwd is not None:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=tool_environment(),
                              cwd=cwd, check=False)
    with tempfile.TemporaryDirectory(prefix="mlaudit-tool-") as tmp:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=tool_environment(),
                              cwd=tmp, check=False)

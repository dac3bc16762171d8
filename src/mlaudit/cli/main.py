"""``mlaudit``: entry point, subcommand registry and the one error handler.

Each subcommand is a module with ``configure(parser)`` (arguments only, cheap to
import) and ``run(args) -> int``; ``COMMANDS`` lists them in help order.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from mlaudit import __version__
from mlaudit.errors import MlauditError

EXIT_OK = 0
EXIT_POLICY = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "audit": ("mlaudit.cli.audit_cmd", "audit a model repository and report by the policy"),
    "hash": ("mlaudit.cli.hash_cmd", "list, check or update the weight manifest"),
    "scan": ("mlaudit.cli.scan_cmd", "scan model files for code that runs when they are loaded"),
    "sign": ("mlaudit.cli.sign_cmd", "sign the model (OpenSSF Model Signing model.sig) with a key or Sigstore"),
    "verify": ("mlaudit.cli.verify_cmd", "verify model.sig (mlaudit or model_signing) against the files on disk"),
    "log": ("mlaudit.cli.log_cmd", "verify a hash-chained audit log (mlaudit audit --log)"),
    "sbom": ("mlaudit.cli.sbom_cmd", "write the CycloneDX 1.6 SBOM: Python dependencies and the model"),
    "github": ("mlaudit.cli.github_cmd", "GitHub Actions: audit, compare with the base, comment, summary, SARIF"),
    "baseline": ("mlaudit.cli.baseline_cmd", "show the evaluation metrics, or record them as the baseline"),
    "fleet": ("mlaudit.cli.fleet_cmd", "fleet assurance: inventory, matrix plan, aggregate reports, coverage and SLOs"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"mlaudit: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full argument parser (every subcommand configured, or only ``only`` when given)."""
    parser = _Parser(prog="mlaudit", description="Audit repositories that hold ML models.")
    parser.add_argument("--version", action="version", version=f"mlaudit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name, (module_name, help_text) in COMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name, help=help_text, description=help_text)  # listed, not imported
            continue
        module = importlib.import_module(module_name)
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        module.configure(sub_parser)
        sub_parser.set_defaults(_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``mlaudit``; returns the exit code (0 pass, 1 policy fails, 2 usage, 3 internal)."""
    words = list(sys.argv[1:] if argv is None else argv)
    # Import only the command being run: startup time is what `mlaudit scan` and hooks feel.
    only = words[0] if words and words[0] in COMMANDS else None
    args = build_parser(only).parse_args(words)
    return handle_errors(lambda: int(args._module.run(args)))


def handle_errors(action: Callable[[], int]) -> int:
    """Map the project's errors to exit codes with a one-line message on stderr.

    Standard output is guarded for the run (``output_stream``): a reader that
    goes away never changes the exit code, a failed write is one line and exit 3.
    """
    from mlaudit.cli.output_stream import GuardedStdout

    original = sys.stdout
    # None when started with stdout closed (`>&-`): the output goes nowhere, the exit code still counts.
    stream = original if original is not None else open(os.devnull, "w", encoding="utf-8")
    guarded = stream if isinstance(stream, GuardedStdout) else GuardedStdout(stream)
    sys.stdout = guarded
    try:
        code = action()
        guarded.flush()
        return code
    except MlauditError as exc:
        _say(f"mlaudit: error: {exc.diagnostics()}")
        return exc.exit_code
    except KeyboardInterrupt:
        _say("mlaudit: interrupted")
        return 130
    except OSError as exc:  # a full disk, a file that vanished: the environment, not a bug
        where = f"{exc.filename}: " if exc.filename else ""
        _say(f"mlaudit: error: {where}{exc.strerror or exc}")
        return EXIT_INTERNAL
    except Exception:  # noqa: BLE001 - the last line of defence
        import traceback  # only on the crash path: keeps start-up light

        print(traceback.format_exc(), file=sys.stderr)
        print(
            f"mlaudit {__version__}: internal error; please report it with the traceback above",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    finally:
        sys.stdout = original


def _say(message: str) -> None:
    """One escaped line on stderr (messages quote the repository's names); never raises."""
    from mlaudit.render.escape import terminal_line

    try:
        print(terminal_line(message), file=sys.stderr)
    except (OSError, ValueError):
        pass


"""Benchmark: `mlaudit sign/verify --key` against the reference `model_signing sign/verify key`.

Both hash every file of the same model directory (SHA-256, model_signing's
serializer) and sign or check an EC P-256 signature, so the ratio shows what
mlaudit adds (configuration, policy, difference report). Also measures the
audit log: appending N chained records and verifying the chain.

    python benchmarks/bench_signing.py [--size-mb 512] [--files 8] [--repeat 3] [--log-entries 2000]

Data lives in benchmarks/.data/signing/ (git-ignored); it is rebuilt when the
size or file count changes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data" / "signing"
BIN = Path(sys.executable).parent


def _model(size_mb: int, files: int) -> Path:
    model = DATA / f"model-{size_mb}mb-{files}"
    if model.is_dir():
        return model
    shutil.rmtree(DATA, ignore_errors=True)
    model.mkdir(parents=True)
    chunk = os.urandom(1 << 20)
    for index in range(files):
        with (model / f"model-{index:05d}.safetensors").open("wb") as fh:
            for _ in range(size_mb // files):
                fh.write(chunk)
    (model / "config.json").write_text('{"layers": 2}')
    return model


def _keys() -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private, public = DATA / "bench.key", DATA / "bench.pub"
    if not private.is_file():
        key = ec.generate_private_key(ec.SECP256R1())
        private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
        public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def _time(argv: list[str], repeat: int, cwd: Path) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        if proc.returncode != 0:
            raise SystemExit(f"{argv[0]} failed: {proc.stdout}{proc.stderr}")
    return statistics.median(times)


def _bench_log(entries: int) -> None:
    from mlaudit.audit_log.chain import append_record, verify_chain

    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "audit.log"
        record = {"time": "2026-01-01T00:00:00+00:00", "tool_version": "0.1.0", "commit": "a" * 40,
                  "config_digest": "b" * 64, "report_digest": "c" * 64, "status": "pass"}
        started = time.perf_counter()
        for _ in range(entries):
            append_record(log, record)
        appended = time.perf_counter() - started
        started = time.perf_counter()
        result = verify_chain(log)
        verified = time.perf_counter() - started
        assert result.ok and result.entries == entries
        # reference: reading and hashing the same bytes once (the floor for any verification)
        started = time.perf_counter()
        subprocess.run(["sha256sum", str(log)], capture_output=True, check=True)
        floor = time.perf_counter() - started
    print(f"audit log: {entries} appends in {appended:.3f} s ({appended / entries * 1e3:.2f} ms each, "
          "with fsync); verify "
          f"{verified:.3f} s vs `sha256sum` of the file {floor:.3f} s (ratio {verified / floor:.1f}x)")


def main() -> None:
    """Run the benchmark and print timings with the ratio to the reference command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=512)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--log-entries", type=int, default=2000)
    args = parser.parse_args()
    model = _model(args.size_mb, args.files)
    private, public = _keys()
    sig = model / "model.sig"
    ref_sign = [str(BIN / "model_signing"), "sign", "key", str(model), "--signature", str(sig),
                "--private_key", str(private)]
    ours_sign = [str(BIN / "mlaudit"), "sign", str(model), "--key", str(private)]
    ref_verify = [str(BIN / "model_signing"), "verify", "key", str(model), "--signature", str(sig),
                  "--public_key", str(public)]
    ours_verify = [str(BIN / "mlaudit"), "verify", str(model), "--public-key", str(public)]
    t_ref_sign = _time(ref_sign, args.repeat, DATA)
    t_ours_sign = _time(ours_sign, args.repeat, DATA)
    t_ref_verify = _time(ref_verify, args.repeat, DATA)
    t_ours_verify = _time(ours_verify, args.repeat, DATA)
    print(f"model: {args.files} files, {args.size_mb} MB; median of {args.repeat} runs")
    print(f"sign:   mlaudit {t_ours_sign:.2f} s vs model_signing {t_ref_sign:.2f} s "
          f"(ratio {t_ours_sign / t_ref_sign:.2f}x)")
    print(f"verify: mlaudit {t_ours_verify:.2f} s vs model_signing {t_ref_verify:.2f} s "
          f"(ratio {t_ours_verify / t_ref_verify:.2f}x)")
    _bench_log(args.log_entries)


if __name__ == "__main__":
    main()

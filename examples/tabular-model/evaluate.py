"""Evaluation command of the demo: train, evaluate, print metrics JSON on stdout.

Also writes per-sample correctness (for the bootstrap interval) and per-request
latencies (for p50/p95/p99) under ``out/``.
"""

from __future__ import annotations

import json
import sys
import time

from sklearn.metrics import accuracy_score, roc_auc_score
from tabular_data import encode
from train import HERE, split_reference, train_model


def main() -> int:
    train, test = split_reference()
    model = train_model(train)
    features = encode(test)
    labels = test["approved"].to_numpy()
    scores = model.predict_proba(features)[:, 1]
    predicted = (scores >= 0.5).astype(int)
    timings = []
    for row in features[:200]:  # per-request latency of single predictions
        started = time.perf_counter()
        model.predict_proba(row.reshape(1, -1))
        timings.append((time.perf_counter() - started) * 1000.0)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "per_sample.jsonl").write_text(
        "".join(json.dumps({"correct": int(p == y)}) + "\n" for p, y in zip(predicted, labels, strict=True)))
    (out / "latency_ms.txt").write_text("".join(f"{t:.4f}\n" for t in timings))
    print(f"evaluated {len(labels)} held-out rows", file=sys.stderr)
    print(json.dumps({"accuracy": round(float(accuracy_score(labels, predicted)), 4),
                      "roc_auc": round(float(roc_auc_score(labels, scores)), 4)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

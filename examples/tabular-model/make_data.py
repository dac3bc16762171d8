"""Regenerate the committed data: ``reference.csv``, ``current.csv`` and ``predictions.csv``.

Run from this folder: ``python make_data.py``, then ``mlaudit baseline update .``.
"""

from __future__ import annotations

from tabular_data import encode, make_table
from train import HERE, split_reference, train_model


def main() -> None:
    make_table(2000, seed=7).to_csv(HERE / "reference.csv", index=False)
    # New applicants: incomes have risen (the drift the demo shows), everything else as before.
    current = make_table(1000, seed=8, income_shift=0.35)
    current.drop(columns=["approved"]).to_csv(HERE / "current.csv", index=False)
    train, _ = split_reference()
    model = train_model(train)
    # Predictions on a separate, larger sample: groups big enough for fairness gaps beyond noise.
    test = make_table(5000, seed=9)
    scores = model.predict_proba(encode(test))[:, 1]
    predictions = test[["sex", "region"]].copy()
    predictions["label"] = test["approved"].to_numpy()
    predictions["score"] = scores.round(4)
    predictions["prediction"] = (scores >= 0.5).astype(int)
    predictions.to_csv(HERE / "predictions.csv", index=False)


if __name__ == "__main__":
    main()

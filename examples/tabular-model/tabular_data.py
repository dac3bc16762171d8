"""The demo's data: a synthetic loan-approval table with a known structure.

Deterministic (seeded), so the committed CSVs and baseline are reproducible with
``python make_data.py``. The current sample shifts ``income`` upwards: the drift
check flags it, and leaves the other features alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FEATURES = ["age", "income", "tenure_years", "region"]


def make_table(rows: int, seed: int, income_shift: float = 0.0) -> pd.DataFrame:
    """``rows`` applicants with features, a sensitive attribute ``sex`` and the label ``approved``."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, rows)
    income = rng.lognormal(mean=10.5 + income_shift, sigma=0.4, size=rows).round(0)
    tenure = rng.gamma(2.0, 3.0, rows).round(1)
    region = rng.choice(["north", "south", "east", "west"], rows, p=[0.3, 0.3, 0.2, 0.2])
    sex = rng.choice(["female", "male"], rows)
    logit = 0.9 * (np.log(income) - 10.5) / 0.4 + 0.08 * tenure - 0.01 * (age - 45) + rng.normal(0, 0.8, rows)
    approved = (logit > 0).astype(int)
    return pd.DataFrame({"age": age, "income": income, "tenure_years": tenure, "region": region,
                         "sex": sex, "approved": approved})


def encode(frame: pd.DataFrame) -> np.ndarray:
    """The model's input matrix (log income, one-hot region)."""
    regions = ["north", "south", "east", "west"]
    columns = [frame["age"].to_numpy(float), np.log(frame["income"].to_numpy(float)),
               frame["tenure_years"].to_numpy(float)]
    columns += [(frame["region"] == r).to_numpy(float) for r in regions]
    return np.column_stack(columns)

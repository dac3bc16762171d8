"""Train the demo model (scikit-learn logistic regression) from ``reference.csv``.

The model is trained in memory whenever it is needed and never saved: a pickled
model in a repository is exactly what mlaudit warns about.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from tabular_data import encode

HERE = Path(__file__).resolve().parent


def train_model(train: pd.DataFrame):  # type: ignore[no-untyped-def]
    """A fitted pipeline (deterministic: lbfgs on standardised features)."""
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(encode(train), train["approved"].to_numpy())
    return model


def split_reference() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first 70 % of ``reference.csv`` trains, the rest evaluates."""
    frame = pd.read_csv(HERE / "reference.csv")
    cut = int(len(frame) * 0.7)
    return frame.iloc[:cut], frame.iloc[cut:]

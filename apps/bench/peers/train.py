"""Trains the peer's model the way the tutorial stack does, and pickles it.

A scikit-learn pipeline: one-hot encoding of the categoricals, standard scaling of the
numbers, then a linear regression, fitted on the same CSV the bundled ONNX model is trained
on. Usage: train.py CSV OUT.pkl  (about a second; the pickle is not committed).
"""

import pickle
import sys

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

CATEGORICAL = ["sex", "smoker", "region"]
NUMERIC = ["age", "bmi", "children"]


def main(csv_path: str, out_path: str) -> None:
    data = pd.read_csv(csv_path)
    features = data[NUMERIC + CATEGORICAL]
    model = Pipeline(
        [
            (
                "prep",
                ColumnTransformer(
                    [
                        ("onehot", OneHotEncoder(drop="first"), CATEGORICAL),
                        ("scale", StandardScaler(), NUMERIC),
                    ]
                ),
            ),
            ("regressor", LinearRegression()),
        ]
    )
    model.fit(features, data["charges"])
    with open(out_path, "wb") as handle:
        pickle.dump(model, handle)
    print(f"trained on {len(data)} rows, R^2 (train) {model.score(features, data['charges']):.3f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

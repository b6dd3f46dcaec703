"""Writes tree-shap.json beside the binary tree classifiers' model.onnx: shap's TreeExplainer
(interventional, raw output) on the committed ONNX trees, against background rows of data.csv.

The reference for apps/inference's tree-shap on binary classifiers whose leaves weigh one class
(onnxmltools' LightGBM and XGBoost, skl2onnx's random forest). The trees are read from the ONNX
attributes here, independently of the TypeScript reader, and handed to shap as a custom tree
model; onnxruntime's score of such a model is s (class 1) and, with mixed-sign weights and a
LOGISTIC post-transform, -s for class 0 (margins), or 1 - s with non-negative weights and no
post-transform (probabilities).

Needs numpy, onnx and shap only (pip install shap onnx); the other fixtures are not touched:
    python tree_shap.py
"""

import csv
import json
import os

import numpy as np
import onnx
import shap
from onnx import helper

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = ["lightgbm-breast-cancer", "xgboost-breast-cancer", "sklearn-breast-cancer"]
# Explained: the first rows of expected.json's records; background: the data.csv rows after
# the 64 committed records.
EXPLAINED = 8
BACKGROUND = (64, 64 + 40)


def read_rows(path, target):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        rows = [{k: float(v) for k, v in r.items() if k != target} for r in reader]
    return rows, reader.fieldnames


def shap_trees(node):
    """The node's trees as shap custom trees (left = the comparison holds), and its base."""
    a = {x.name: helper.get_attribute_value(x) for x in node.attribute}
    modes = [m.decode() for m in a["nodes_modes"]]
    assert set(a["class_ids"]) == {0}, "leaves must weigh class 0 only"
    weights = {}
    for t, n, w in zip(a["class_treeids"], a["class_nodeids"], a["class_weights"]):
        weights[(t, n)] = weights.get((t, n), 0.0) + float(np.float32(w))
    trees = []
    for tree_id in sorted(set(a["nodes_treeids"])):
        idx = [i for i, t in enumerate(a["nodes_treeids"]) if t == tree_id]
        pos = {a["nodes_nodeids"][i]: p for p, i in enumerate(idx)}
        n = len(idx)
        left, right = np.full(n, -1), np.full(n, -1)
        features, thresholds = np.zeros(n, dtype=int), np.zeros(n)
        values = np.zeros((n, 1))
        for p, i in enumerate(idx):
            mode = modes[i]
            if mode == "LEAF":
                values[p, 0] = weights.get((tree_id, a["nodes_nodeids"][i]), 0.0)
                continue
            threshold = np.float32(a["nodes_values"][i])
            if mode == "BRANCH_LT":
                # float32 inputs: x < t exactly when x <= the float32 just below t.
                threshold = np.nextafter(threshold, np.float32(-np.inf))
            elif mode != "BRANCH_LEQ":
                raise SystemExit(f"unsupported mode {mode}")
            left[p] = pos[a["nodes_truenodeids"][i]]
            right[p] = pos[a["nodes_falsenodeids"][i]]
            features[p] = a["nodes_featureids"][i]
            thresholds[p] = float(threshold)
        trees.append(
            {
                "children_left": left,
                "children_right": right,
                "children_default": left.copy(),
                "features": features,
                "thresholds": thresholds,
                "values": values,
                "node_sample_weight": np.ones(n),
            }
        )
    base = list(a.get("base_values", []))
    scale = 1 / len(trees) if a.get("aggregate_function", b"SUM") == b"AVERAGE" else 1
    weights_positive = all(w >= 0 for w in a["class_weights"])
    transform = a.get("post_transform", b"NONE").decode()
    return trees, float(base[0]) if base else 0.0, scale, weights_positive, transform


def main():
    for name in FIXTURES:
        d = os.path.join(HERE, name)
        expected = json.load(open(os.path.join(d, "expected.json")))
        rows, columns = read_rows(os.path.join(d, "data.csv"), expected["target"])
        fields = [c for c in columns if c != expected["target"]]
        model = onnx.load(os.path.join(d, "model.onnx"))
        (node,) = [n for n in model.graph.node if n.op_type == "TreeEnsembleClassifier"]
        trees, base, scale, positive, transform = shap_trees(node)
        for t in trees:
            t["values"] = t["values"] * scale
        background = rows[BACKGROUND[0] : BACKGROUND[1]]
        records = expected["records"][:EXPLAINED]
        as_x = lambda rs: np.array(
            [[r[f] for f in fields] for r in rs], dtype=np.float32
        ).astype(np.float64)
        explainer = shap.TreeExplainer(
            {"trees": trees, "base_offset": base},
            data=as_x(background),
            feature_perturbation="interventional",
            model_output="raw",
        )
        phi = np.asarray(explainer.shap_values(as_x(records))).reshape(len(records), len(fields))
        expected_s = float(np.ravel(explainer.expected_value)[0])
        if positive and transform == "NONE":
            complement, space = 1.0, "probability"
        elif not positive and transform == "LOGISTIC":
            complement, space = 0.0, "margin"
        else:
            raise SystemExit(f"{name}: weights/post_transform layout not covered")
        out = {
            "about": "shap.TreeExplainer(trees read from model.onnx, data=background, "
            "feature_perturbation='interventional', model_output='raw') by tree_shap.py; "
            f"shap {shap.__version__}",
            "space": space,
            "background": background,
            "records": records,
            # Per record, per class (class 0, class 1), per field in data.csv's order.
            "baseline": [complement - expected_s, expected_s],
            "contributions": [[(-phi[i]).tolist(), phi[i].tolist()] for i in range(len(records))],
        }
        with open(os.path.join(d, "tree-shap.json"), "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        print(f"{name}: {len(records)} records, {len(background)} background rows, {space}")


if __name__ == "__main__":
    main()

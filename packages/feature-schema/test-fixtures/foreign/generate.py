#!/usr/bin/python3
"""Generates the foreign-model fixtures: models this project did not train.

Each fixture is a scikit-learn pipeline (ColumnTransformer: StandardScaler on the numeric
columns, OneHotEncoder per categorical column; then an estimator), trained here on seeded
synthetic data and exported to ONNX with the graph layout that skl2onnx produces for it
(skl2onnx itself cannot be installed on this machine): one [N,1] input per column, Cast +
Concat + Scaler for the numeric columns, a OneHotEncoder + Reshape per categorical column,
Concat, the estimator's ai.onnx.ml node, then (classifiers) the label output and the
probabilities, as a ZipMap (seq(map)) or, with skl2onnx's `zipmap=False`, as a [N,C] tensor.
The models carry no modelship metadata: they are what a user would bring.

Writes, per fixture directory: model.onnx, schema.json (the model's feature contract, as a
user would declare it), data.csv (the training data) and expected.json (fixture rows with
scikit-learn's own predictions: labels and predict_proba, or predicted values).

Run with Debian's python3-onnx (1.12) and python3-sklearn:
    /usr/bin/python3 packages/feature-schema/test-fixtures/foreign/generate.py
"""

import csv
import json
import os

import numpy as np
import onnx
import pandas as pd
from onnx import TensorProto, TypeProto, helper, numpy_helper
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
OPSETS = [helper.make_opsetid("", 15), helper.make_opsetid("ai.onnx.ml", 1)]
FIXTURE_ROWS = 40

ELEM = {"float": TensorProto.FLOAT, "int64": TensorProto.INT64, "string": TensorProto.STRING}


def tensor_info(name, elem_type, shape):
    return helper.make_tensor_value_info(name, elem_type, shape)


def zipmap_info(name, key_type):
    """seq(map(key_type, float)): built by hand (python3-onnx 1.12 has no make_map_type_proto)."""
    t = TypeProto()
    m = t.sequence_type.elem_type.map_type
    m.key_type = key_type
    m.value_type.tensor_type.elem_type = TensorProto.FLOAT
    info = onnx.ValueInfoProto()
    info.name = name
    info.type.CopyFrom(t)
    return info


def preprocess_nodes(columns, ct):
    """The ColumnTransformer part, as skl2onnx lays it out; returns nodes, initializers and
    the name of the float [N,D] feature matrix."""
    numeric = [c for c in columns if c["kind"] == "numeric"]
    categorical = [c for c in columns if c["kind"] == "categorical"]
    nodes, inits, parts = [], [], []
    scaler = ct.named_transformers_["num"]
    concat_inputs = []
    for c in numeric:
        if c["type"] == "float":
            concat_inputs.append(c["name"])
        else:
            cast = f"{c['name']}_cast"
            nodes.append(helper.make_node("Cast", [c["name"]], [cast], name=f"Cast_{c['name']}",
                                          to=TensorProto.FLOAT))
            concat_inputs.append(cast)
    nodes.append(helper.make_node("Concat", concat_inputs, ["merged_columns"], name="Concat",
                                  axis=1))
    nodes.append(helper.make_node(
        "Scaler", ["merged_columns"], ["scaled_columns"], name="Scaler", domain="ai.onnx.ml",
        offset=[float(v) for v in scaler.mean_], scale=[float(1 / v) for v in scaler.scale_]))
    parts.append("scaled_columns")
    encoder = ct.named_transformers_["cat"]
    for i, c in enumerate(categorical):
        cats = [str(v) for v in encoder.categories_[i]]
        out = f"{c['name']}out"
        nodes.append(helper.make_node(
            "OneHotEncoder", [c["name"]], [out], name=f"OneHotEncoder{i or ''}",
            domain="ai.onnx.ml", cats_strings=cats, zeros=1))
        shape = f"shape_tensor{i or ''}"
        inits.append(numpy_helper.from_array(np.array([-1, len(cats)], dtype=np.int64), shape))
        reshaped = f"variable{i + 1}"
        nodes.append(helper.make_node("Reshape", [out, shape], [reshaped],
                                      name=f"Reshape{i or ''}"))
        parts.append(reshaped)
    nodes.append(helper.make_node("Concat", parts, ["transformed_column"], name="Concat1",
                                  axis=1))
    return nodes, inits, "transformed_column"


def model_proto(nodes, inits, inputs, outputs, name):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=OPSETS,
                              producer_name="modelship fixture generator (skl2onnx layout)",
                              producer_version="1")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def classifier_model(columns, pipe, zipmap):
    ct, clf = pipe.named_steps["pre"], pipe.named_steps["clf"]
    nodes, inits, features = preprocess_nodes(columns, ct)
    classes = clf.classes_
    strings = classes.dtype.kind in "OUS"
    n = len(classes)
    coef = clf.coef_.astype(float).flatten().tolist()
    intercept = clf.intercept_.astype(float).tolist()
    attrs = {"multi_class": 0, "post_transform": "LOGISTIC"}
    if n == 2:
        # skl2onnx: one row of weights for the negative class (negated), one for the positive
        coef = [-v for v in coef] + coef
        intercept = [-v for v in intercept] + intercept
    else:
        attrs = {"multi_class": 1, "post_transform": "SOFTMAX"}
    if strings:
        attrs["classlabels_strings"] = [str(c) for c in classes]
    else:
        attrs["classlabels_ints"] = [int(c) for c in classes]
    label, probabilities = ("label", "probabilities")
    if n == 2:
        nodes.append(helper.make_node("LinearClassifier", [features], [label, probabilities],
                                      name="LinearClassifier", domain="ai.onnx.ml",
                                      coefficients=coef, intercepts=intercept, **attrs))
    else:
        # multinomial: skl2onnx adds an L1 Normalizer so that the probabilities sum to 1
        nodes.append(helper.make_node("LinearClassifier", [features],
                                      [label, "probability_tensor"], name="LinearClassifier",
                                      domain="ai.onnx.ml", coefficients=coef,
                                      intercepts=intercept, **attrs))
        nodes.append(helper.make_node("Normalizer", ["probability_tensor"], [probabilities],
                                      name="Normalizer", domain="ai.onnx.ml", norm="L1"))
    inputs = [tensor_info(c["name"], ELEM[c["type"]], [None, 1]) for c in columns]
    label_type = TensorProto.STRING if strings else TensorProto.INT64
    if not zipmap:
        outputs = [tensor_info(label, label_type, [None]),
                   tensor_info(probabilities, TensorProto.FLOAT, [None, n])]
        return model_proto(nodes, inits, inputs, outputs, "pipeline_classifier")
    if strings:
        nodes.append(helper.make_node("Identity", [label], ["output_label"], name="Identity"))
        zip_attrs = {"classlabels_strings": [str(c) for c in classes]}
    else:
        nodes.append(helper.make_node("Cast", [label], ["output_label"], name="Cast",
                                      to=TensorProto.INT64))
        zip_attrs = {"classlabels_int64s": [int(c) for c in classes]}
    nodes.append(helper.make_node("ZipMap", [probabilities], ["output_probability"],
                                  name="ZipMap", domain="ai.onnx.ml", **zip_attrs))
    outputs = [tensor_info("output_label", label_type, [None]),
               zipmap_info("output_probability", label_type)]
    return model_proto(nodes, inits, inputs, outputs, "pipeline_classifier")


def regressor_model(columns, pipe):
    ct, reg = pipe.named_steps["pre"], pipe.named_steps["clf"]
    nodes, inits, features = preprocess_nodes(columns, ct)
    nodes.append(helper.make_node(
        "LinearRegressor", [features], ["variable"], name="LinearRegressor",
        domain="ai.onnx.ml", coefficients=reg.coef_.astype(float).flatten().tolist(),
        intercepts=[float(reg.intercept_)]))
    inputs = [tensor_info(c["name"], ELEM[c["type"]], [None, 1]) for c in columns]
    outputs = [tensor_info("variable", TensorProto.FLOAT, [None, 1])]
    return model_proto(nodes, inits, inputs, outputs, "pipeline_regressor")


def fit(columns, rows, target, estimator):
    numeric = [c["name"] for c in columns if c["kind"] == "numeric"]
    categorical = [c["name"] for c in columns if c["kind"] == "categorical"]
    pre = ColumnTransformer([("num", StandardScaler(), numeric),
                             ("cat", OneHotEncoder(handle_unknown="ignore"), categorical)])
    pipe = Pipeline([("pre", pre), ("clf", estimator)])
    frame = pd.DataFrame(rows)
    pipe.fit(frame[[c["name"] for c in columns]], np.array([r[target] for r in rows]))
    return pipe


def native(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def write_dir(name, columns, rows, target, pipe, model, schema, classify):
    out = os.path.join(HERE, name)
    os.makedirs(out, exist_ok=True)
    onnx.save_model(model, os.path.join(out, "model.onnx"))
    with open(os.path.join(out, "schema.json"), "w") as f:
        json.dump(schema, f, indent=2)
        f.write("\n")
    names = [c["name"] for c in columns]
    with open(os.path.join(out, "data.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(names + [target])
        for r in rows:
            writer.writerow([r[k] for k in names + [target]])
    # fixture rows: fresh rows from the same generator, plus the first training rows
    records = [{k: native(r[k]) for k in names} for r in rows[:FIXTURE_ROWS]]
    frame = pd.DataFrame(records)[names]
    expected = {"records": records}
    if classify:
        expected["classes"] = [native(c) for c in pipe.named_steps["clf"].classes_]
        expected["labels"] = [native(v) for v in pipe.predict(frame)]
        expected["probabilities"] = [[float(p) for p in row] for row in pipe.predict_proba(frame)]
    else:
        expected["predictions"] = [float(v) for v in pipe.predict(frame)]
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


def numeric_field(name, dtype, values, description, unit=None):
    field = {"kind": "numeric", "name": name, "dtype": dtype,
             "min": native(min(values)), "max": native(max(values)),
             "description": description, "example": native(values[0])}
    if unit:
        field["unit"] = unit
    return field


def categorical_field(name, levels, values, description):
    return {"kind": "categorical", "name": name, "levels": levels,
            "description": description, "example": values[0]}


def churn(rng):
    """Binary, string labels ("no"/"yes"): a telecom churn model."""
    n = 400
    contracts = ["month-to-month", "one-year", "two-year"]
    rows = []
    for _ in range(n):
        tenure = int(rng.integers(0, 73))
        charges = round(float(rng.uniform(18, 120)), 2)
        contract = contracts[int(rng.choice(3, p=[0.55, 0.25, 0.2]))]
        z = 0.8 - 0.05 * tenure + 0.02 * (charges - 60) - {"month-to-month": 0, "one-year": 1.2,
                                                          "two-year": 2.4}[contract]
        y = "yes" if rng.random() < 1 / (1 + np.exp(-z)) else "no"
        rows.append({"tenure": tenure, "monthly_charges": charges, "contract": contract,
                     "churn": y})
    columns = [{"name": "tenure", "kind": "numeric", "type": "int64"},
               {"name": "monthly_charges", "kind": "numeric", "type": "float"},
               {"name": "contract", "kind": "categorical", "type": "string"}]
    pipe = fit(columns, rows, "churn", LogisticRegression(max_iter=1000))
    col = lambda k: [r[k] for r in rows]  # noqa: E731
    schema = {
        "schemaVersion": 2,
        "task": "classification",
        "model": {"name": "telco-churn", "version": "0.3.0",
                  "description": "Will a customer leave? Logistic regression (foreign fixture)."},
        "fields": [
            numeric_field("tenure", "integer", col("tenure"), "Months as a customer.", "months"),
            numeric_field("monthly_charges", "float", col("monthly_charges"),
                          "Monthly bill.", "USD"),
            categorical_field("contract", contracts, col("contract"), "Contract term."),
        ],
        "target": {"name": "churn", "description": "Whether the customer leaves"},
        "inputs": {"layout": "per-field", "inputs": [
            {"field": "tenure", "input": "tenure", "type": "int64"},
            {"field": "monthly_charges", "input": "monthly_charges", "type": "float32"},
            {"field": "contract", "input": "contract", "type": "string"},
        ]},
        "output": {"name": "output_label", "probabilities": "output_probability"},
    }
    write_dir("churn-binary", columns, rows, "churn", pipe,
              classifier_model(columns, pipe, zipmap=True), schema, True)


def plans(rng, zipmap):
    """Multiclass, integer labels (1, 2, 4: not 0..C-1): which plan a customer picks."""
    n = 450
    regions = ["north", "south", "east", "west"]
    rows = []
    for _ in range(n):
        age = round(float(rng.uniform(18, 80)), 1)
        income = round(float(rng.uniform(10, 200)), 1)
        region = regions[int(rng.integers(0, 4))]
        scores = np.array([0.0, 0.03 * (income - 80) + 0.02 * (age - 45),
                           0.05 * (income - 120) - 0.5 * (region == "east")])
        p = np.exp(scores) / np.exp(scores).sum()
        rows.append({"age": age, "income": income, "region": region,
                     "plan": [1, 2, 4][int(rng.choice(3, p=p))]})
    columns = [{"name": "age", "kind": "numeric", "type": "float"},
               {"name": "income", "kind": "numeric", "type": "float"},
               {"name": "region", "kind": "categorical", "type": "string"}]
    pipe = fit(columns, rows, "plan", LogisticRegression(max_iter=1000))
    col = lambda k: [r[k] for r in rows]  # noqa: E731
    output = ({"name": "output_label", "probabilities": "output_probability"} if zipmap
              else {"name": "label", "probabilities": "probabilities", "classes": [1, 2, 4]})
    schema = {
        "schemaVersion": 2,
        "task": "classification",
        "model": {"name": "plan-picker", "version": "1.1.0"},
        "fields": [
            numeric_field("age", "float", col("age"), "Age of the customer.", "years"),
            numeric_field("income", "float", col("income"), "Yearly income.", "kUSD"),
            categorical_field("region", regions, col("region"), "Sales region."),
        ],
        "target": {"name": "plan", "description": "The plan chosen (1 basic, 2 plus, 4 pro)"},
        "inputs": {"layout": "per-field", "inputs": [
            {"field": "age", "input": "age", "type": "float32"},
            {"field": "income", "input": "income", "type": "float32"},
            {"field": "region", "input": "region", "type": "string"},
        ]},
        "output": output,
    }
    name = "plans-multiclass" if zipmap else "plans-multiclass-nozipmap"
    write_dir(name, columns, rows, "plan", pipe,
              classifier_model(columns, pipe, zipmap=zipmap), schema, True)


def rents(rng):
    """Regression with an int64 input: monthly rent from rooms (int64), area and city."""
    n = 300
    cities = ["lyon", "paris", "lille"]
    rows = []
    for _ in range(n):
        rooms = int(rng.integers(1, 7))
        area = round(float(rng.uniform(15, 160)), 1)
        city = cities[int(rng.integers(0, 3))]
        rent = 150 + 90 * rooms + 11.5 * area + {"lyon": 0, "paris": 600, "lille": -120}[city]
        rows.append({"rooms": rooms, "area": area, "city": city,
                     "rent": round(float(rent + rng.normal(0, 80)), 2)})
    columns = [{"name": "rooms", "kind": "numeric", "type": "int64"},
               {"name": "area", "kind": "numeric", "type": "float"},
               {"name": "city", "kind": "categorical", "type": "string"}]
    pipe = fit(columns, rows, "rent", Ridge(alpha=1.0))
    col = lambda k: [r[k] for r in rows]  # noqa: E731
    schema = {
        "schemaVersion": 2,
        "task": "regression",
        "model": {"name": "rent-estimate", "version": "2.0.0"},
        "fields": [
            numeric_field("rooms", "integer", col("rooms"), "Number of rooms."),
            numeric_field("area", "float", col("area"), "Floor area.", "m2"),
            categorical_field("city", cities, col("city"), "City."),
        ],
        "target": {"name": "rent", "unit": "EUR", "description": "Monthly rent"},
        "inputs": {"layout": "per-field", "inputs": [
            {"field": "rooms", "input": "rooms", "type": "int64"},
            {"field": "area", "input": "area", "type": "float32"},
            {"field": "city", "input": "city", "type": "string"},
        ]},
        "output": {"name": "variable"},
    }
    write_dir("rent-regression", columns, rows, "rent", pipe,
              regressor_model(columns, pipe), schema, False)


if __name__ == "__main__":
    churn(np.random.default_rng(16))
    plans(np.random.default_rng(17), zipmap=True)
    plans(np.random.default_rng(17), zipmap=False)
    rents(np.random.default_rng(18))

#!/usr/bin/env python3
"""Generates the exporter fixtures: models trained by other frameworks, in the layouts their
ONNX exporters write (see README.md in this folder for the list and what was checked).

Per fixture directory it writes:
  model.onnx (+ model.onnx.data when the exporter writes a side file), exactly as exported;
  data.csv: the training data, original column names, target column last;
  expected.json: 64 records of data.csv (without the target) and the framework's own
    predictions for them (labels + probabilities, or values).

Every exported model is run with onnxruntime on every row of data.csv and compared with the
framework's predictions (labels equal; probabilities within 1e-5; regression values within
1e-5 relative); any difference beyond that stops the generator with an error. The measured
worst differences are written into README.md (the table between the markers).

Run from the repository root, in the venv that setup-venv.sh creates:
    packages/feature-schema/test-fixtures/exporters/setup-venv.sh
    packages/feature-schema/test-fixtures/exporters/.venv/bin/python \\
        packages/feature-schema/test-fixtures/exporters/generate.py [--only NAME,NAME]
"""

import argparse
import json
import os
import random
import re
import shutil
import sys
import warnings

import numpy as np
import onnx
import onnxruntime as ort
import pandas as pd
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20261206
N_RECORDS = 64
PROBA_TOL = 1e-5
VALUE_RTOL = 1e-5
README_START = "<!-- fixture-table:start -->"
README_END = "<!-- fixture-table:end -->"


# ----------------------------------------------------------------------------- data sets


def load_dataset(name):
    """A scikit-learn bundled data set as a DataFrame with its original column names, the
    target last (named `target`, as `as_frame=True` names it), rows in a seeded shuffle."""
    from sklearn import datasets

    loader = {
        "breast_cancer": datasets.load_breast_cancer,
        "wine": datasets.load_wine,
        "diabetes": datasets.load_diabetes,
    }[name]
    bunch = loader(as_frame=True)
    frame = bunch.frame.copy()
    assert list(frame.columns)[-1] == "target", frame.columns
    rng = np.random.default_rng(SEED)
    frame = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    if len(frame) > 600:
        frame = frame.iloc[:600].reset_index(drop=True)
    target_names = [] if name == "diabetes" else [str(t) for t in bunch.target_names]
    return frame, target_names


def features_of(frame):
    return [c for c in frame.columns if c != "target"]


def matrix32(frame):
    """The feature matrix as the served model sees it: the CSV's values cast to float32."""
    return frame[features_of(frame)].to_numpy(dtype=np.float64).astype(np.float32)


def csv_cell(value):
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("booleans are not expected here")
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return repr(float(value))


def quote(name):
    return '"' + name.replace('"', '""') + '"' if re.search(r'[",\n]', name) else name


def write_csv(path, frame):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(",".join(quote(c) for c in frame.columns) + "\n")
        for row in frame.itertuples(index=False):
            f.write(",".join(csv_cell(v) for v in row) + "\n")
    back = pd.read_csv(path, float_precision="round_trip")
    if list(back.columns) != list(frame.columns):
        raise SystemExit(f"{path}: the columns did not survive the CSV round trip")
    if not np.array_equal(back.to_numpy(dtype=np.float64), frame.to_numpy(dtype=np.float64)):
        raise SystemExit(f"{path}: the values did not survive the CSV round trip")


def records_of(frame):
    out = []
    for row in frame[features_of(frame)].iloc[:N_RECORDS].itertuples(index=False):
        out.append({c: float(v) for c, v in zip(features_of(frame), row)})
    return out


# ----------------------------------------------------------------------------- checks


class Check:
    """Compares an ONNX model's outputs (onnxruntime) with the framework's predictions."""

    def __init__(self, name):
        self.name = name
        self.worst = 0.0
        self.kind = ""

    def labels(self, got, want):
        got, want = list(got), list(want)
        if got != want:
            bad = [i for i, (g, w) in enumerate(zip(got, want)) if g != w]
            raise SystemExit(
                f"{self.name}: ONNX labels differ from the framework's on rows {bad[:10]}: "
                f"{[got[i] for i in bad[:5]]} vs {[want[i] for i in bad[:5]]}"
            )

    def probabilities(self, got, want):
        got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
        if got.shape != want.shape:
            raise SystemExit(f"{self.name}: probabilities shape {got.shape} vs {want.shape}")
        diff = float(np.max(np.abs(got - want)))
        if not diff <= PROBA_TOL:
            raise SystemExit(f"{self.name}: probabilities differ by {diff} (> {PROBA_TOL})")
        self.worst, self.kind = max(self.worst, diff), "abs"

    def values(self, got, want):
        got, want = np.asarray(got, np.float64).reshape(-1), np.asarray(want, np.float64)
        if got.shape != want.shape:
            raise SystemExit(f"{self.name}: values shape {got.shape} vs {want.shape}")
        rel = float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-12)))
        if not rel <= VALUE_RTOL:
            raise SystemExit(f"{self.name}: values differ by {rel} relative (> {VALUE_RTOL})")
        self.worst, self.kind = max(self.worst, rel), "rel"


def run_onnx(path, x):
    """Runs the model on every row of x; models with a fixed batch dimension row by row."""
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    batch = inp.shape[0]
    if isinstance(batch, int):
        parts = [sess.run(None, {inp.name: x[i : i + batch]}) for i in range(0, len(x), batch)]
        outs = []
        for k in range(len(parts[0])):
            vals = [p[k] for p in parts]
            outs.append(sum(vals, []) if isinstance(vals[0], list) else np.concatenate(vals))
        return sess, outs
    return sess, sess.run(None, {inp.name: x})


def zipmap_to_matrix(maps, keys):
    return np.array([[m[k] for k in keys] for m in maps], dtype=np.float64)


def describe_model(path):
    m = onnx.load(path, load_external_data=False)
    opsets = sorted((o.domain or "ai.onnx", o.version) for o in m.opset_import)

    def shape(vi):
        t = vi.type
        if t.HasField("tensor_type"):
            elem = TensorProto.DataType.Name(t.tensor_type.elem_type).lower()
            if not t.tensor_type.HasField("shape"):
                return f"{elem}"
            dims = []
            for d in t.tensor_type.shape.dim:
                if d.HasField("dim_value"):
                    dims.append(str(d.dim_value))
                elif d.HasField("dim_param"):
                    dims.append(d.dim_param)
                else:
                    dims.append("?")
            return f"{elem} [{', '.join(dims)}]"
        if t.HasField("sequence_type"):
            mt = t.sequence_type.elem_type.map_type
            key = TensorProto.DataType.Name(mt.key_type).lower()
            return f"seq(map({key}, float))"
        return "?"

    return {
        "ir": m.ir_version,
        "opsets": opsets,
        "inputs": [f"`{i.name}` {shape(i)}" for i in m.graph.input],
        "outputs": [f"`{o.name}` {shape(o)}" for o in m.graph.output],
        "side_file": os.path.exists(path + ".data"),
    }


def write_fixture(name, frame, expected, model_writer, check_fn, summary):
    """Creates the fixture directory, exports the model into it, checks, writes the rest."""
    out = os.path.join(HERE, name)
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    model_path = os.path.join(out, "model.onnx")
    model_writer(model_path)
    check = Check(name)
    check_fn(model_path, check)
    write_csv(os.path.join(out, "data.csv"), frame)
    ordered = {
        k: expected[k]
        for k in ("framework", "exporter", "target", "init", "task", "classes")
    }
    ordered["records"] = records_of(frame)
    for k in ("labels", "probabilities", "values"):
        if k in expected:
            ordered[k] = [to_json(v) for v in expected[k][:N_RECORDS]]
    validate_expected(name, ordered, frame)
    with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(ordered, f, indent=1, ensure_ascii=False)
        f.write("\n")
    info = describe_model(model_path)
    info.update(
        name=name,
        framework=expected["framework"],
        exporter=expected["exporter"],
        task=expected["task"],
        worst=check.worst,
        worst_kind=check.kind,
        rows=len(frame),
    )
    summary.append(info)
    print(f"{name}: ok, {len(frame)} rows, worst difference {check.worst:.3g} ({check.kind})")


def to_json(v):
    if isinstance(v, (list, tuple, np.ndarray)):
        return [to_json(x) for x in v]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return float(v)
    return v


def validate_expected(name, e, frame):
    assert len(e["records"]) == N_RECORDS, name
    assert e["target"] in frame.columns, name
    if e["task"] == "classification":
        assert len(e["labels"]) == N_RECORDS and len(e["probabilities"]) == N_RECORDS, name
        assert all(len(p) == len(e["classes"]) for p in e["probabilities"]), name
        assert all(lab in e["classes"] for lab in e["labels"]), name
        assert "values" not in e, name
    else:
        assert len(e["values"]) == N_RECORDS and e["classes"] is None, name
        assert "labels" not in e and "probabilities" not in e, name


# ----------------------------------------------------------------------------- PyTorch


def torch_fixtures(summary, only):
    import torch
    from torch import nn

    torch.set_num_threads(1)

    class TabularMLP(nn.Module):
        """Standardizes inside the model (the served model gets the raw column values), one
        hidden layer, then the head the fixture needs."""

        def __init__(self, mean, std, n_in, n_out, head, y_mean=0.0, y_std=1.0):
            super().__init__()
            self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
            self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
            self.hidden = nn.Linear(n_in, 16)
            self.out = nn.Linear(16, n_out)
            self.head = head
            self.y_mean, self.y_std = float(y_mean), float(y_std)

        def raw(self, x):
            return self.out(torch.relu(self.hidden((x - self.mean) / self.std)))

        def forward(self, x):
            o = self.raw(x)
            if self.head == "probabilities":
                return torch.softmax(o, dim=1)
            if self.head == "label+probabilities":
                p = torch.softmax(o, dim=1)
                return torch.argmax(p, dim=1), p
            if self.head == "value[N,1]":
                return o * self.y_std + self.y_mean
            if self.head == "value[N]":
                return (o * self.y_std + self.y_mean).squeeze(1)
            raise ValueError(self.head)

    def train(frame, head, n_out, task):
        torch.manual_seed(SEED)
        x = matrix32(frame)
        y = frame["target"].to_numpy()
        mean, std = x.mean(0), x.std(0) + 1e-6
        y_mean, y_std = (float(y.mean()), float(y.std())) if task == "regression" else (0.0, 1.0)
        model = TabularMLP(mean, std, x.shape[1], n_out, head, y_mean, y_std)
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        xt = torch.from_numpy(x)
        if task == "classification":
            yt = torch.from_numpy(y.astype(np.int64))
            loss_fn = nn.CrossEntropyLoss()
        else:
            yt = torch.from_numpy(((y - y_mean) / y_std).astype(np.float32)).unsqueeze(1)
            loss_fn = nn.MSELoss()
        # Few steps for the classifiers, so that their probabilities are not all 0 or 1.
        for _ in range(40 if task == "classification" else 300):
            opt.zero_grad()
            loss = loss_fn(model.raw(xt), yt)
            loss.backward()
            opt.step()
        model.eval()
        return model

    def predict(model, frame):
        with torch.no_grad():
            out = model(torch.from_numpy(matrix32(frame)))
        if model.head == "probabilities":
            return {"labels": torch.argmax(out, dim=1).numpy(), "probabilities": out.numpy()}
        if model.head == "label+probabilities":
            return {"labels": out[0].numpy(), "probabilities": out[1].numpy()}
        return {"values": out.reshape(-1).numpy()}

    def export(model, frame, how, names=None, fixed_batch=False):
        x = torch.from_numpy(matrix32(frame)[: (1 if fixed_batch else 8)])

        def writer(path):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if how == "dynamo":
                    kwargs = {}
                    if names:
                        kwargs = {"input_names": names[0], "output_names": names[1]}
                    torch.onnx.export(
                        model,
                        (x,),
                        path,
                        dynamic_shapes=({0: torch.export.Dim("batch")},),
                        **kwargs,
                    )
                else:
                    kwargs = {}
                    if not fixed_batch:
                        kwargs["dynamic_axes"] = {n: {0: "batch"} for n in names[0] + names[1]}
                    torch.onnx.export(
                        model,
                        (x,),
                        path,
                        dynamo=False,
                        input_names=names[0],
                        output_names=names[1],
                        **kwargs,
                    )

        return writer

    def classification_check(want, n_classes, label_output):
        def check_fn(path, check):
            sess, outs = run_onnx(path, matrix32(frame_of_check[0]))
            probs = outs[-1]
            check.probabilities(probs, want["probabilities"])
            # What a server computes for a probabilities-only model: the argmax.
            check.labels(np.argmax(probs, axis=1), want["labels"])
            if label_output:
                check.labels(outs[0], want["labels"])
            assert probs.shape[1] == n_classes

        return check_fn

    def regression_check(want):
        def check_fn(path, check):
            _, outs = run_onnx(path, matrix32(frame_of_check[0]))
            check.values(outs[0], want["values"])

        return check_fn

    frame_of_check = [None]
    exporter_dynamo = "torch.onnx.export (dynamo, the default: weights in model.onnx.data)"
    exporter_legacy = "torch.onnx.export(dynamo=False) (TorchScript exporter, one file)"

    # --- breast cancer, binary, probabilities only (softmax [N, 2])
    bc, bc_names = load_dataset("breast_cancer")
    assert bc_names == ["malignant", "benign"], bc_names
    model = train(bc, "probabilities", 2, "classification")
    want = predict(model, bc)
    frame_of_check[0] = bc
    base = {
        "framework": "pytorch",
        "target": "target",
        "init": ["--classes", "malignant,benign"],
        "task": "classification",
        "classes": bc_names,
        "labels": [bc_names[i] for i in want["labels"]],
        "probabilities": want["probabilities"],
    }
    variants = [
        ("torch-breast-cancer-dynamo", "dynamo", None, False, exporter_dynamo),
        (
            "torch-breast-cancer-legacy",
            "legacy",
            (["input"], ["probabilities"]),
            False,
            exporter_legacy + ", dynamic_axes on the batch dimension",
        ),
        (
            "torch-breast-cancer-fixed-batch",
            "legacy",
            (["input"], ["output"]),
            True,
            "torch.onnx.export(dynamo=False) without dynamic_axes: a fixed batch [1, 30]",
        ),
    ]
    for name, how, names, fixed, exporter in variants:
        if only and name not in only:
            continue
        write_fixture(
            name,
            bc,
            {**base, "exporter": exporter},
            export(model, bc, how, names, fixed),
            classification_check(want, 2, False),
            summary,
        )

    # --- wine, multiclass: label + probabilities, and probabilities only
    wine, wine_names = load_dataset("wine")
    frame_of_check[0] = wine
    for name, head, how, names, exporter in [
        (
            "torch-wine-label-probabilities-dynamo",
            "label+probabilities",
            "dynamo",
            (["features"], ["label", "probabilities"]),
            exporter_dynamo + "; forward returns (argmax int64, softmax)",
        ),
        (
            "torch-wine-probabilities-legacy",
            "probabilities",
            "legacy",
            (["input"], ["output"]),
            exporter_legacy + ", dynamic_axes on the batch dimension",
        ),
    ]:
        if only and name not in only:
            continue
        model = train(wine, head, 3, "classification")
        want = predict(model, wine)
        write_fixture(
            name,
            wine,
            {
                "framework": "pytorch",
                "exporter": exporter,
                "target": "target",
                "init": [],
                "task": "classification",
                "classes": [0, 1, 2],
                "labels": [int(v) for v in want["labels"]],
                "probabilities": want["probabilities"],
            },
            export(model, wine, how, names),
            classification_check(want, 3, head == "label+probabilities"),
            summary,
        )

    # --- diabetes, regression: [N, 1] (dynamo) and [N] (legacy)
    dia, _ = load_dataset("diabetes")
    frame_of_check[0] = dia
    for name, head, how, names, exporter in [
        ("torch-diabetes-dynamo", "value[N,1]", "dynamo", None, exporter_dynamo),
        (
            "torch-diabetes-legacy",
            "value[N]",
            "legacy",
            (["input"], ["output"]),
            exporter_legacy + ", dynamic_axes on the batch dimension; output squeezed to [N]",
        ),
    ]:
        if only and name not in only:
            continue
        model = train(dia, head, 1, "regression")
        want = predict(model, dia)
        write_fixture(
            name,
            dia,
            {
                "framework": "pytorch",
                "exporter": exporter,
                "target": "target",
                "init": [],
                "task": "regression",
                "classes": None,
                "values": want["values"],
            },
            export(model, dia, how, names),
            regression_check(want),
            summary,
        )


# ----------------------------------------------------------------------------- onnxmltools layout

# The layout onnxmltools (onnx/onnxmltools, read at commit 0934091, version 1.17.0) writes with
# its default target opset (15): see README.md. Written here because onnxmltools cannot be
# installed on this machine.
OMT_PRODUCER = ("OnnxMLTools", "1.17.0")


def graph_name(tag):
    """onnxmltools names the graph uuid4().hex; a seeded stand-in keeps the output stable."""
    return random.Random(f"{SEED}:{tag}").getrandbits(128).to_bytes(16, "big").hex()


def omt_model(graph, opsets, main_opset_for_ir):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets])
    # onnxmltools' OPSET_TO_IR_VERSION: opsets 8-9 -> IR 4, 15 -> IR 8.
    ir = {8: 4, 9: 4, 15: 8}[main_opset_for_ir]
    model.ir_version = ir
    model.producer_name, model.producer_version = OMT_PRODUCER
    model.domain = "onnxml"
    model.model_version = 0
    return model


def unnamed_batch(name, elem, rest):
    """A tensor value info whose first dimension has neither a value nor a name (None)."""
    vi = onnx.ValueInfoProto()
    vi.name = name
    vi.type.tensor_type.elem_type = elem
    vi.type.tensor_type.shape.dim.add()
    for d in rest:
        vi.type.tensor_type.shape.dim.add().dim_value = d
    return vi


def tensor_1(name, elem):
    """onnxmltools' Int64Type/StringType: declared [1] whatever the batch size."""
    vi = onnx.ValueInfoProto()
    vi.name = name
    vi.type.tensor_type.elem_type = elem
    vi.type.tensor_type.shape.dim.add().dim_value = 1
    return vi


def zipmap_output(name, key_elem):
    """seq(map(key, tensor(float))) with no shape on the float tensor (FloatTensorType())."""
    vi = onnx.ValueInfoProto()
    vi.name = name
    m = vi.type.sequence_type.elem_type.map_type
    m.key_type = key_elem
    m.value_type.tensor_type.elem_type = TensorProto.FLOAT
    return vi


def lightgbm_tree_attrs(dump, n_classes_for_ids, regressor):
    """The TreeEnsemble attributes onnxmltools' LightGBM converter derives from the booster's
    JSON dump: node ids allocated in pre-order (both children before descending), 'decision_type'
    '<=' -> BRANCH_LEQ, missing-value tracking from default_left/missing_type, hit rates 1.0,
    leaf weights = leaf_value, class/target id = tree index % classes; nodes sorted per tree."""
    nodes = []  # (tree, node_id, feature, mode, value, true, false, missing_true)
    leaves = []  # (tree, node_id, class_id, weight)

    def mode_of(decision):
        modes = {"<=": "BRANCH_LEQ", "<": "BRANCH_LT", ">=": "BRANCH_GTE", ">": "BRANCH_GT"}
        modes.update({"==": "BRANCH_EQ", "!=": "BRANCH_NEQ"})
        return modes[decision]

    for tree_index, tree in enumerate(dump["tree_info"]):
        class_id = tree_index % n_classes_for_ids
        counter = [0]

        def new_id():
            i = counter[0]
            counter[0] += 1
            return i

        def visit(node, node_id):
            if "left_child" in node and "right_child" in node:
                left_id, right_id = new_id(), new_id()
                if node["default_left"]:
                    tracks = 0 if node["missing_type"] == "None" and float(node["threshold"]) < 0 else 1
                else:
                    tracks = 0
                nodes.append(
                    (
                        tree_index,
                        node_id,
                        node["split_feature"],
                        mode_of(node["decision_type"]),
                        float(node["threshold"]),
                        left_id,
                        right_id,
                        tracks,
                    )
                )
                visit(node["left_child"], left_id)
                visit(node["right_child"], right_id)
            else:
                nodes.append((tree_index, node_id, 0, "LEAF", 0.0, 0, 0, 0))
                leaves.append((tree_index, node_id, class_id, float(node["leaf_value"])))

        visit(tree["tree_structure"], new_id())

    nodes.sort(key=lambda n: (n[0], n[1]))
    prefix = "target" if regressor else "class"
    attrs = {
        "nodes_treeids": [n[0] for n in nodes],
        "nodes_nodeids": [n[1] for n in nodes],
        "nodes_featureids": [n[2] for n in nodes],
        "nodes_modes": [n[3] for n in nodes],
        "nodes_values": [n[4] for n in nodes],
        "nodes_truenodeids": [n[5] for n in nodes],
        "nodes_falsenodeids": [n[6] for n in nodes],
        "nodes_missing_value_tracks_true": [n[7] for n in nodes],
        "nodes_hitrates": [1.0 for _ in nodes],
        f"{prefix}_treeids": [t[0] for t in leaves],
        f"{prefix}_nodeids": [t[1] for t in leaves],
        f"{prefix}_ids": [t[2] for t in leaves],
        f"{prefix}_weights": [t[3] for t in leaves],
    }
    return attrs


def lightgbm_to_onnx(booster, n_features, tag):
    """onnxmltools.convert_lightgbm(model, initial_types=[('float_input',
    FloatTensorType([None, F]))]) with its defaults (zipmap=True, target opset 15)."""
    dump = booster.dump_model()
    objective = dump["objective"]
    inp = unnamed_batch("float_input", TensorProto.FLOAT, [n_features])
    if objective.startswith("binary") or objective.startswith("multiclass"):
        n_classes = 1 if objective.startswith("binary") else dump["num_class"]
        labels = [0, 1] if n_classes == 1 else list(range(n_classes))
        attrs = lightgbm_tree_attrs(dump, n_classes, regressor=False)
        attrs["post_transform"] = "LOGISTIC" if n_classes == 1 else "SOFTMAX"
        attrs["classlabels_int64s"] = labels
        nodes = [
            helper.make_node(
                "TreeEnsembleClassifier",
                ["float_input"],
                ["label_tensor", "probability_tensor"],
                name="LgbmClassifier",
                domain="ai.onnx.ml",
                **attrs,
            ),
            helper.make_node("Identity", ["label_tensor"], ["lgbmlabel"], name="Identity"),
            helper.make_node("Identity", ["probability_tensor"], ["lgbmprobabilities"]),
            helper.make_node("Cast", ["lgbmlabel"], ["label"], name="Cast", to=TensorProto.INT64),
            helper.make_node(
                "ZipMap",
                ["lgbmprobabilities"],
                ["probabilities"],
                name="ZipMap",
                domain="ai.onnx.ml",
                classlabels_int64s=labels,
            ),
        ]
        outputs = [tensor_1("label", TensorProto.INT64), zipmap_output("probabilities", TensorProto.INT64)]
        graph = helper.make_graph(nodes, graph_name(tag), [inp], outputs)
        # Cast is added with op_version 9 (target opset >= 9), Identity with 1, the ml ops with 1.
        return omt_model(graph, [("", 9), ("ai.onnx.ml", 1)], 9)
    if objective.startswith("regression"):
        attrs = lightgbm_tree_attrs(dump, 1, regressor=True)
        attrs["post_transform"] = "NONE"
        attrs["n_targets"] = 1
        nodes = [
            helper.make_node(
                "TreeEnsembleRegressor",
                ["float_input"],
                ["output"],
                name="LgbmRegressor",
                domain="ai.onnx.ml",
                **attrs,
            ),
            helper.make_node("Identity", ["output"], ["variable"], name="Identity"),
        ]
        outputs = [unnamed_batch("variable", TensorProto.FLOAT, [1])]
        graph = helper.make_graph(nodes, graph_name(tag), [inp], outputs)
        # Identity (op_version 1) is raised to 8 by onnxmltools for a target opset >= 8.
        return omt_model(graph, [("", 8), ("ai.onnx.ml", 1)], 8)
    raise ValueError(objective)


def save_checked(model, path):
    onnx.checker.check_model(model)
    onnx.save(model, path)


def tree_classification_check(frame, want, classes_in_graph):
    """ONNX label output and ZipMap (or tensor) probabilities against the framework's."""

    def check_fn(path, check):
        _, outs = run_onnx(path, matrix32(frame))
        probs = outs[1]
        if isinstance(probs, list):
            probs = zipmap_to_matrix(probs, classes_in_graph)
        check.probabilities(probs, want["probabilities"])
        check.labels([int(v) for v in outs[0]], [int(v) for v in want["raw_labels"]])

    return check_fn


def values_check(frame, want):
    def check_fn(path, check):
        _, outs = run_onnx(path, matrix32(frame))
        check.values(outs[0], want)

    return check_fn


# ----------------------------------------------------------------------------- LightGBM


def lightgbm_fixtures(summary, only):
    import lightgbm as lgb

    params = dict(n_estimators=20, num_leaves=8, learning_rate=0.1, random_state=SEED, verbose=-1)
    params.update(n_jobs=1, deterministic=True, force_row_wise=True)
    exporter = (
        "onnxmltools.convert_lightgbm(model, initial_types=[('float_input', "
        "FloatTensorType([None, F]))]) layout, written by generate.py (onnxmltools is not installable)"
    )

    for name, ds, kind in [
        ("lightgbm-breast-cancer", "breast_cancer", "binary"),
        ("lightgbm-wine", "wine", "multiclass"),
        ("lightgbm-diabetes", "diabetes", "regression"),
    ]:
        if only and name not in only:
            continue
        frame, target_names = load_dataset(ds)
        x, y = matrix32(frame), frame["target"].to_numpy()
        if kind == "regression":
            model = lgb.LGBMRegressor(**params).fit(x, y)
            want = model.predict(x)
            expected = {
                "framework": "lightgbm",
                "exporter": exporter,
                "target": "target",
                "init": [],
                "task": "regression",
                "classes": None,
                "values": want,
            }
            check_fn = values_check(frame, want)
        else:
            model = lgb.LGBMClassifier(**params).fit(x, y.astype(np.int64))
            raw = model.predict(x)
            proba = model.predict_proba(x)
            classes = [int(c) for c in model.classes_]
            named = kind == "binary"
            expected = {
                "framework": "lightgbm",
                "exporter": exporter,
                "target": "target",
                "init": ["--classes", ",".join(target_names)] if named else [],
                "task": "classification",
                "classes": target_names if named else classes,
                "labels": [target_names[int(v)] for v in raw] if named else [int(v) for v in raw],
                "probabilities": proba,
            }
            check_fn = tree_classification_check(frame, {"probabilities": proba, "raw_labels": raw}, classes)
        onnx_model = lightgbm_to_onnx(model.booster_, x.shape[1], name)
        write_fixture(
            name, frame, expected, lambda p, m=onnx_model: save_checked(m, p), check_fn, summary
        )


# ----------------------------------------------------------------------------- XGBoost


def xgboost_tree_attrs(booster, classifier):
    """The TreeEnsemble attributes onnxmltools' XGBoost converter derives from
    `get_dump(with_stats=True, dump_format="json")`: per tree, node ids remapped in pre-order
    (children in the dump's order), every split BRANCH_LT on feature `fN`, true = `yes`, false =
    `no`, missing tracks true when `missing == yes`, no hit rates; leaves LEAF with weight `leaf`
    and class/target id 0 (classifiers' ids are set by the caller)."""
    prefix = "class" if classifier else "target"
    keys = [
        "nodes_treeids",
        "nodes_nodeids",
        "nodes_featureids",
        "nodes_modes",
        "nodes_values",
        "nodes_truenodeids",
        "nodes_falsenodeids",
        "nodes_missing_value_tracks_true",
    ] + [f"{prefix}_{k}" for k in ("treeids", "nodeids", "ids", "weights")]
    attrs = {k: [] for k in keys}
    trees = [json.loads(t) for t in booster.get_dump(with_stats=True, dump_format="json")]
    for tree_id, tree in enumerate(trees):
        remap = {}

        def number(node):
            remap.setdefault(node["nodeid"], len(remap))
            for child in node.get("children", []):
                number(child)

        number(tree)
        covered = set()

        def fill(node):
            node_id = remap[node["nodeid"]]
            if node_id in covered:
                return
            covered.add(node_id)
            attrs["nodes_treeids"].append(tree_id)
            attrs["nodes_nodeids"].append(node_id)
            if "children" in node:
                split = node["split"]
                if not (split.startswith("f") and split[1:].isdigit()):
                    raise ValueError(f"unexpected feature name {split}")
                attrs["nodes_featureids"].append(int(split[1:]))
                attrs["nodes_modes"].append("BRANCH_LT")
                attrs["nodes_values"].append(float(node["split_condition"]))
                attrs["nodes_truenodeids"].append(remap[node["yes"]])
                attrs["nodes_falsenodeids"].append(remap[node["no"]])
                attrs["nodes_missing_value_tracks_true"].append(int(node.get("missing", -1) == node["yes"]))
                for child in node["children"]:
                    fill(child)
            else:
                attrs["nodes_featureids"].append(0)
                attrs["nodes_modes"].append("LEAF")
                attrs["nodes_values"].append(0.0)
                attrs["nodes_truenodeids"].append(0)
                attrs["nodes_falsenodeids"].append(0)
                attrs["nodes_missing_value_tracks_true"].append(0)
                attrs[f"{prefix}_treeids"].append(tree_id)
                attrs[f"{prefix}_nodeids"].append(node_id)
                attrs[f"{prefix}_ids"].append(0)
                attrs[f"{prefix}_weights"].append(float(node["leaf"]))

        fill(tree)
    return attrs, len(trees)


def xgboost_to_onnx(model, n_features, tag):
    """onnxmltools.convert_xgboost(model, initial_types=[('float_input',
    FloatTensorType([None, F]))]) with its defaults (target opset 15)."""
    booster = model.get_booster()
    config = json.loads(booster.save_config())["learner"]
    objective = config["objective"]["name"]
    base_score = [float(config["learner_model_param"]["base_score"])]
    num_class = int(config["learner_model_param"]["num_class"])
    inp = unnamed_batch("float_input", TensorProto.FLOAT, [n_features])
    if objective in ("binary:logistic", "multi:softprob"):
        attrs, n_trees = xgboost_tree_attrs(booster, classifier=True)
        if objective == "binary:logistic":
            n_classes = 2
            attrs["post_transform"] = "LOGISTIC"
            attrs["class_ids"] = [0 for _ in attrs["class_treeids"]]
            if base_score[0] != 0.5:
                attrs["base_values"] = [float(-np.log(1 / np.float32(base_score[0]) - 1.0))]
        else:
            n_classes = num_class
            attrs["post_transform"] = "SOFTMAX"
            attrs["base_values"] = base_score * n_classes
            attrs["class_ids"] = [t % n_classes for t in attrs["class_treeids"]]
        attrs["classlabels_int64s"] = [int(c) for c in model.classes_]
        node = helper.make_node(
            "TreeEnsembleClassifier",
            ["float_input"],
            ["label", "probabilities"],
            name="TreeEnsembleClassifier",
            domain="ai.onnx.ml",
            **attrs,
        )
        outputs = [
            unnamed_batch("label", TensorProto.INT64, []),
            unnamed_batch("probabilities", TensorProto.FLOAT, [n_classes]),
        ]
    elif objective == "reg:squarederror":
        attrs, _ = xgboost_tree_attrs(booster, classifier=False)
        attrs["post_transform"] = "NONE"
        attrs["n_targets"] = int(config["learner_model_param"]["num_target"])
        attrs["base_values"] = base_score
        node = helper.make_node(
            "TreeEnsembleRegressor",
            ["float_input"],
            ["variable"],
            name="TreeEnsembleRegressor",
            domain="ai.onnx.ml",
            **attrs,
        )
        outputs = [unnamed_batch("variable", TensorProto.FLOAT, [1])]
    else:
        raise ValueError(objective)
    graph = helper.make_graph([node], graph_name(tag), [inp], outputs)
    # The graph uses ai.onnx.ml nodes only: make_model's default opset entry is overwritten by
    # ai.onnx.ml 1 and no ai.onnx entry remains; the IR version follows the target opset (15).
    return omt_model(graph, [("ai.onnx.ml", 1)], 15)


def xgboost_fixtures(summary, only):
    import xgboost as xgb

    params = dict(n_estimators=20, max_depth=3, learning_rate=0.3, random_state=SEED, n_jobs=1)
    exporter = (
        "onnxmltools.convert_xgboost(model, initial_types=[('float_input', "
        "FloatTensorType([None, F]))]) layout, written by generate.py (onnxmltools is not installable)"
    )
    for name, ds, kind in [
        ("xgboost-breast-cancer", "breast_cancer", "binary"),
        ("xgboost-wine", "wine", "multiclass"),
        ("xgboost-diabetes", "diabetes", "regression"),
    ]:
        if only and name not in only:
            continue
        frame, _ = load_dataset(ds)
        x, y = matrix32(frame), frame["target"].to_numpy()
        if kind == "regression":
            model = xgb.XGBRegressor(**params).fit(x, y)
            want = model.predict(x).astype(np.float64)
            expected = {
                "framework": "xgboost",
                "exporter": exporter,
                "target": "target",
                "init": [],
                "task": "regression",
                "classes": None,
                "values": want,
            }
            check_fn = values_check(frame, want)
        else:
            model = xgb.XGBClassifier(**params).fit(x, y.astype(np.int64))
            raw = model.predict(x)
            proba = model.predict_proba(x).astype(np.float64)
            classes = [int(c) for c in model.classes_]
            expected = {
                "framework": "xgboost",
                "exporter": exporter,
                "target": "target",
                "init": [],
                "task": "classification",
                "classes": classes,
                "labels": [int(v) for v in raw],
                "probabilities": proba,
            }
            check_fn = tree_classification_check(frame, {"probabilities": proba, "raw_labels": raw}, classes)
        onnx_model = xgboost_to_onnx(model, x.shape[1], name)
        write_fixture(
            name, frame, expected, lambda p, m=onnx_model: save_checked(m, p), check_fn, summary
        )


# ----------------------------------------------------------------------------- skl2onnx layout

# skl2onnx (onnx/sklearn-onnx, read at commit 33c9f26, version 1.21.0), `to_onnx(model, X)` with
# X a float32 array and its defaults (target opset 25 with onnx >= 1.18, zipmap=True).
SKL_PRODUCER = ("skl2onnx", "1.21.0")
SKL_TARGET_OPSET = 25  # min(__max_supported_opset__, onnx's opset)
SKL_OPSET_TO_IR = {9: 4, 25: 10}


def sklearn_threshold32(threshold):
    """skl2onnx's `sklearn_threshold` for float inputs and BRANCH_LEQ: scikit-learn compares
    (float)x <= (double)t; the float threshold w with (float)x <= t <=> (float)x <= w is t
    rounded to float when that is not above t, else the float just below it."""
    fy = np.float32(threshold)
    if np.float64(fy) <= threshold:
        return float(fy)
    eps = max(abs(fy), np.finfo(np.float32).eps) * 10
    return float(np.nextafter(np.array([fy]), np.array([fy - eps]), dtype=np.float32)[0])


def sklearn_forest_attrs(model, classifier):
    """skl2onnx's `add_tree_to_attribute_pairs` over the forest's trees: node i of tree t keeps
    id i, true = children_left (x <= threshold), false = children_right; leaves LEAF with the
    tree's value times 1/n_estimators (classifiers: the class fractions, normalized; two
    classes: only the second class's fraction, under class id 0); hit rates 1.0."""
    prefix = "class" if classifier else "target"
    keys = [
        "nodes_treeids",
        "nodes_nodeids",
        "nodes_featureids",
        "nodes_modes",
        "nodes_values",
        "nodes_truenodeids",
        "nodes_falsenodeids",
        "nodes_missing_value_tracks_true",
        "nodes_hitrates",
    ] + [f"{prefix}_{k}" for k in ("treeids", "nodeids", "ids", "weights")]
    attrs = {k: [] for k in keys}
    weight = 1.0 / len(model.estimators_)
    for tree_id, est in enumerate(model.estimators_):
        tree = est.tree_
        for i in range(tree.node_count):
            branch = tree.children_left[i] > i or tree.children_right[i] > i
            attrs["nodes_treeids"].append(tree_id)
            attrs["nodes_nodeids"].append(i)
            attrs["nodes_featureids"].append(int(tree.feature[i]) if branch else 0)
            attrs["nodes_modes"].append("BRANCH_LEQ" if branch else "LEAF")
            attrs["nodes_values"].append(sklearn_threshold32(float(tree.threshold[i])) if branch else 0.0)
            attrs["nodes_truenodeids"].append(int(tree.children_left[i]) if branch else 0)
            attrs["nodes_falsenodeids"].append(int(tree.children_right[i]) if branch else 0)
            attrs["nodes_missing_value_tracks_true"].append(0)
            attrs["nodes_hitrates"].append(1.0)
            if branch:
                continue
            values = tree.value[i].flatten()
            if classifier:
                total = float(values.sum())
                weights = [float(v) * (weight / (total if total != 0.0 else 1.0)) for v in values]
                if len(weights) == 2:
                    weights = [weights[1]]
            else:
                weights = [float(v) * weight for v in values]
            for k, w in enumerate(weights):
                attrs[f"{prefix}_treeids"].append(tree_id)
                attrs[f"{prefix}_nodeids"].append(i)
                attrs[f"{prefix}_ids"].append(k)
                attrs[f"{prefix}_weights"].append(w)
    for k in ("nodes_values", "nodes_hitrates", f"{prefix}_weights"):
        attrs[k] = np.array(attrs[k], dtype=np.float32)
    return attrs


def sklearn_to_onnx(model, n_features):
    """skl2onnx.to_onnx(model, X[:1]) for a RandomForestClassifier/Regressor, X float32."""
    inp = unnamed_batch("X", TensorProto.FLOAT, [n_features])
    name = f"ONNX({type(model).__name__})"
    if hasattr(model, "classes_"):
        attrs = sklearn_forest_attrs(model, classifier=True)
        attrs["post_transform"] = "NONE"
        labels = [int(c) for c in model.classes_]
        attrs["classlabels_int64s"] = labels
        nodes = [
            helper.make_node(
                "TreeEnsembleClassifier",
                ["X"],
                ["label", "probabilities"],
                name="TreeEnsembleClassifier",
                domain="ai.onnx.ml",
                **attrs,
            ),
            helper.make_node("Cast", ["label"], ["output_label"], name="Cast", to=TensorProto.INT64),
            helper.make_node(
                "ZipMap",
                ["probabilities"],
                ["output_probability"],
                name="ZipMap",
                domain="ai.onnx.ml",
                classlabels_int64s=labels,
            ),
        ]
        outputs = [
            unnamed_batch("output_label", TensorProto.INT64, []),
            zipmap_output("output_probability", TensorProto.INT64),
        ]
        # Node opsets: TreeEnsembleClassifier 1 and ZipMap 1 (ai.onnx.ml), Cast 9 (apply_cast
        # for a target opset >= 9): the main opset written is 9; the IR version follows the
        # target opset (25 -> 10), computed before the node opsets replace make_model's default.
        opsets = [("ai.onnx.ml", 1), ("", 9)]
    else:
        attrs = sklearn_forest_attrs(model, classifier=False)
        attrs["post_transform"] = "NONE"
        attrs["n_targets"] = int(model.n_outputs_)
        nodes = [
            helper.make_node(
                "TreeEnsembleRegressor",
                ["X"],
                ["variable"],
                name="TreeEnsembleRegressor",
                domain="ai.onnx.ml",
                **attrs,
            )
        ]
        outputs = [unnamed_batch("variable", TensorProto.FLOAT, [1])]
        # Only ai.onnx.ml nodes: skl2onnx's _update_domain_version writes ai.onnx.ml 1, then
        # the target opsets no node used ("" 25), and make_model_from_container, seeing no ""
        # among the node opsets, adds "" 25 once more: two identical ai.onnx entries.
        opsets = [("ai.onnx.ml", 1), ("", SKL_TARGET_OPSET), ("", SKL_TARGET_OPSET)]
    graph = helper.make_graph(nodes, name, [inp], outputs)
    model_proto = helper.make_model(
        graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets]
    )
    model_proto.ir_version = SKL_OPSET_TO_IR[SKL_TARGET_OPSET]
    model_proto.producer_name, model_proto.producer_version = SKL_PRODUCER
    model_proto.domain = "ai.onnx"
    model_proto.model_version = 0
    model_proto.doc_string = ""
    return model_proto


def sklearn_fixtures(summary, only):
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    params = dict(n_estimators=10, max_depth=5, random_state=SEED, n_jobs=1)
    exporter = (
        "skl2onnx.to_onnx(model, X) on a float32 array: layout written by generate.py "
        "(skl2onnx is not installable)"
    )
    for name, ds, kind in [
        ("sklearn-breast-cancer", "breast_cancer", "binary"),
        ("sklearn-wine", "wine", "multiclass"),
        ("sklearn-diabetes", "diabetes", "regression"),
    ]:
        if only and name not in only:
            continue
        frame, _ = load_dataset(ds)
        x, y = matrix32(frame), frame["target"].to_numpy()
        if kind == "regression":
            model = RandomForestRegressor(**params).fit(x, y)
            want = model.predict(x)
            expected = {
                "framework": "sklearn",
                "exporter": exporter,
                "target": "target",
                "init": [],
                "task": "regression",
                "classes": None,
                "values": want,
            }
            check_fn = values_check(frame, want)
        else:
            model = RandomForestClassifier(**params).fit(x, y.astype(np.int64))
            raw = model.predict(x)
            proba = model.predict_proba(x)
            classes = [int(c) for c in model.classes_]
            expected = {
                "framework": "sklearn",
                "exporter": exporter,
                "target": "target",
                "init": [],
                "task": "classification",
                "classes": classes,
                "labels": [int(v) for v in raw],
                "probabilities": proba,
            }
            check_fn = tree_classification_check(frame, {"probabilities": proba, "raw_labels": raw}, classes)
        onnx_model = sklearn_to_onnx(model, x.shape[1])
        write_fixture(
            name, frame, expected, lambda p, m=onnx_model: save_checked(m, p), check_fn, summary
        )


# ----------------------------------------------------------------------------- CatBoost layout

# CatBoost's own ONNX export (`model.save_model(path, format="onnx")`), read in catboost/catboost
# at e9107b0: catboost/libs/model/model_export/onnx_helpers.cpp (InitMetadata,
# ConvertTreeToOnnxGraph, AddTree). catboost cannot be installed here, so the MODEL is not a
# CatBoost model: it is an ensemble of oblivious (symmetric) trees, CatBoost's model family,
# trained by generate.py in numpy; only the ONNX layout is CatBoost's.


class ObliviousBoosting:
    """A minimal gradient boosting of oblivious trees (one split per level, shared by every node
    of the level; leaf index = sum of the level bits, level j -> bit j), on float32 features
    with float32 borders. Logloss (binary) or RMSE (regression, starting from the mean)."""

    def __init__(self, task, n_trees=20, depth=3, learning_rate=0.3, l2=3.0, n_borders=16):
        self.task, self.n_trees, self.depth = task, n_trees, depth
        self.learning_rate, self.l2, self.n_borders = learning_rate, l2, n_borders

    def _borders(self, x):
        out = []
        for f in range(x.shape[1]):
            values = np.unique(x[:, f])
            qs = np.quantile(values, np.linspace(0, 1, self.n_borders + 2)[1:-1])
            out.append(np.unique(qs.astype(np.float32)))
        return out

    def fit(self, x, y):
        x = np.asarray(x, np.float32)
        y = np.asarray(y, np.float64)
        borders = self._borders(x)
        self.bias = float(y.mean()) if self.task == "regression" else 0.0
        score = np.full(len(y), self.bias)
        self.trees = []  # (splits [(feature, border)], leaf values [2**depth])
        for _ in range(self.n_trees):
            if self.task == "regression":
                g, h = y - score, np.ones_like(y)
            else:
                p = 1.0 / (1.0 + np.exp(-score))
                g, h = y - p, p * (1.0 - p)
            leaf = np.zeros(len(y), np.int64)
            splits = []
            for level in range(self.depth):
                best = None
                for f, fb in enumerate(borders):
                    for b in fb:
                        idx = leaf + ((x[:, f] > b).astype(np.int64) << level)
                        n_leaves = 1 << (level + 1)
                        sg = np.bincount(idx, weights=g, minlength=n_leaves)
                        sh = np.bincount(idx, weights=h, minlength=n_leaves)
                        gain = float(np.sum(sg * sg / (sh + self.l2)))
                        if best is None or gain > best[0] + 1e-12:
                            best = (gain, f, b)
                _, f, b = best
                splits.append((int(f), np.float32(b)))
                leaf = leaf + ((x[:, f] > b).astype(np.int64) << level)
            n_leaves = 1 << self.depth
            sg = np.bincount(leaf, weights=g, minlength=n_leaves)
            sh = np.bincount(leaf, weights=h, minlength=n_leaves)
            values = self.learning_rate * sg / (sh + self.l2)
            self.trees.append((splits, values))
            score = score + values[leaf]
        return self

    def raw(self, x):
        x = np.asarray(x, np.float32)
        score = np.full(len(x), self.bias)
        for splits, values in self.trees:
            leaf = np.zeros(len(x), np.int64)
            for level, (f, b) in enumerate(splits):
                leaf += (x[:, f] > b).astype(np.int64) << level
            score = score + values[leaf]
        return score

    def predict_proba(self, x):
        p = 1.0 / (1.0 + np.exp(-self.raw(x)))
        return np.stack([1.0 - p, p], axis=1)


def catboost_to_onnx(model, n_features):
    """The graph CatBoost's exporter writes for a model with float features only."""
    classifier = model.task == "classification"

    def value_info(name, elem, second=None):
        vi = onnx.ValueInfoProto()
        vi.name = name
        vi.type.tensor_type.elem_type = elem
        vi.type.tensor_type.shape.dim.add().dim_param = "N"
        if second is not None:
            vi.type.tensor_type.shape.dim.add().dim_value = second
        return vi

    prefix = "class" if classifier else "target"
    names = [f"{prefix}_ids", f"{prefix}_nodeids", f"{prefix}_treeids", f"{prefix}_weights"]
    has_bias = model.bias != 0.0
    if has_bias:
        names.append("base_values")
    names += [
        "nodes_falsenodeids",
        "nodes_featureids",
        "nodes_hitrates",
        "nodes_missing_value_tracks_true",
        "nodes_modes",
        "nodes_nodeids",
        "nodes_treeids",
        "nodes_truenodeids",
        "nodes_values",
    ]
    a = {n: [] for n in names}
    if has_bias:
        a["base_values"] = [-model.bias, model.bias] if classifier else [model.bias]
    for tree_idx, (splits, values) in enumerate(model.trees):
        node = 0
        for depth in range(len(splits)):
            # The root tests the LAST stored split (the leaf index's highest bit).
            f, border = splits[len(splits) - 1 - depth]
            for node in range(node, 2 * node + 1):
                a["nodes_treeids"].append(tree_idx)
                a["nodes_nodeids"].append(node)
                a["nodes_modes"].append("BRANCH_GT")
                a["nodes_featureids"].append(f)
                a["nodes_values"].append(float(border))
                a["nodes_falsenodeids"].append(2 * node + 1)
                a["nodes_truenodeids"].append(2 * node + 2)
                a["nodes_missing_value_tracks_true"].append(0)
                a["nodes_hitrates"].append(1.0)
            node += 1
        for leaf_pos, node in enumerate(range(node, 2 * node + 1)):
            a["nodes_treeids"].append(tree_idx)
            a["nodes_nodeids"].append(node)
            a["nodes_modes"].append("LEAF")
            a["nodes_featureids"].append(0)
            a["nodes_values"].append(0.0)
            a["nodes_falsenodeids"].append(0)
            a["nodes_truenodeids"].append(0)
            a["nodes_missing_value_tracks_true"].append(0)
            a["nodes_hitrates"].append(1.0)
            v = float(values[leaf_pos])
            if classifier:
                for cls, w in ((0, -v), (1, v)):
                    a["class_treeids"].append(tree_idx)
                    a["class_nodeids"].append(node)
                    a["class_ids"].append(cls)
                    a["class_weights"].append(w)
            else:
                a["target_treeids"].append(tree_idx)
                a["target_nodeids"].append(node)
                a["target_ids"].append(0)
                a["target_weights"].append(v)

    graph = onnx.GraphProto()
    graph.name = "CatBoostModel"
    graph.input.append(value_info("features", TensorProto.FLOAT, n_features))
    trees = graph.node.add()
    trees.domain = "ai.onnx.ml"
    trees.input.append("features")
    if classifier:
        trees.op_type = "TreeEnsembleClassifier"
        trees.attribute.append(helper.make_attribute("classlabels_int64s", [0, 1]))
        trees.attribute.append(helper.make_attribute("post_transform", "LOGISTIC"))
        graph.output.append(value_info("label", TensorProto.INT64))
        trees.output.append("label")
        graph.value_info.append(value_info("probability_tensor", TensorProto.FLOAT, 2))
        trees.output.append("probability_tensor")
        zipmap = graph.node.add()
        zipmap.domain = "ai.onnx.ml"
        zipmap.op_type = "ZipMap"
        zipmap.input.append("probability_tensor")
        graph.output.append(zipmap_output("probabilities", TensorProto.INT64))
        zipmap.output.append("probabilities")
        zipmap.attribute.append(helper.make_attribute("classlabels_int64s", [0, 1]))
    else:
        trees.op_type = "TreeEnsembleRegressor"
        trees.attribute.append(helper.make_attribute("post_transform", "NONE"))
        trees.attribute.append(helper.make_attribute("n_targets", 1))
        graph.output.append(value_info("predictions", TensorProto.FLOAT))
        trees.output.append("predictions")
    for n in names:
        kind = {
            "class_weights": TensorProto.FLOAT,
            "target_weights": TensorProto.FLOAT,
            "base_values": TensorProto.FLOAT,
            "nodes_hitrates": TensorProto.FLOAT,
            "nodes_values": TensorProto.FLOAT,
            "nodes_modes": TensorProto.STRING,
        }.get(n, TensorProto.INT64)
        attr = onnx.AttributeProto()
        attr.name = n
        if kind == TensorProto.FLOAT:
            attr.type = onnx.AttributeProto.FLOATS
            attr.floats.extend(a[n])
        elif kind == TensorProto.STRING:
            attr.type = onnx.AttributeProto.STRINGS
            attr.strings.extend(s.encode() for s in a[n])
        else:
            attr.type = onnx.AttributeProto.INTS
            attr.ints.extend(a[n])
        trees.attribute.append(attr)

    model_proto = onnx.ModelProto()
    model_proto.ir_version = 3
    opset = model_proto.opset_import.add()
    opset.domain = "ai.onnx.ml"
    opset.version = 2
    model_proto.producer_name = "CatBoost"
    model_proto.graph.CopyFrom(graph)
    return model_proto


def catboost_fixtures(summary, only):
    exporter = (
        "CatBoost save_model(format='onnx') layout, written by generate.py; the model is NOT "
        "CatBoost (not installable): oblivious trees trained by generate.py in numpy"
    )
    for name, ds, task in [
        ("catboost-layout-breast-cancer", "breast_cancer", "classification"),
        ("catboost-layout-diabetes", "diabetes", "regression"),
    ]:
        if only and name not in only:
            continue
        frame, _ = load_dataset(ds)
        x, y = matrix32(frame), frame["target"].to_numpy()
        model = ObliviousBoosting(task).fit(x, y)
        if task == "regression":
            want = model.raw(x)
            expected = {
                "framework": "catboost",
                "exporter": exporter,
                "target": "target",
                "init": [],
                "task": "regression",
                "classes": None,
                "values": want,
            }
            check_fn = values_check(frame, want)
        else:
            proba = model.predict_proba(x)
            raw = (proba[:, 1] > 0.5).astype(np.int64)
            expected = {
                "framework": "catboost",
                "exporter": exporter,
                "target": "target",
                "init": [],
                "task": "classification",
                "classes": [0, 1],
                "labels": [int(v) for v in raw],
                "probabilities": proba,
            }
            check_fn = tree_classification_check(frame, {"probabilities": proba, "raw_labels": raw}, [0, 1])
        onnx_model = catboost_to_onnx(model, x.shape[1])
        write_fixture(
            name, frame, expected, lambda p, m=onnx_model: save_checked(m, p), check_fn, summary
        )


# ----------------------------------------------------------------------------- Keras


def keras_fixtures(summary, only):
    """Keras 3 with the torch backend: `model.export(path, format="onnx")` is Keras's own ONNX
    export (for a model with a None batch dimension it calls torch's TorchScript exporter with
    dynamic axes). The TensorFlow backend exports through tf2onnx instead, which cannot be
    installed here: that layout is not covered."""
    os.environ["KERAS_BACKEND"] = "torch"
    import keras
    import torch

    torch.set_num_threads(1)
    if keras.backend.backend() != "torch":
        raise SystemExit("keras must run on the torch backend (KERAS_BACKEND=torch)")
    exporter = 'keras Model.export(path, format="onnx") (Keras 3, torch backend)'
    for name, ds, task in [
        ("keras-wine", "wine", "classification"),
        ("keras-diabetes", "diabetes", "regression"),
    ]:
        if only and name not in only:
            continue
        frame, _ = load_dataset(ds)
        x, y = matrix32(frame), frame["target"].to_numpy()
        keras.backend.clear_session()  # as in a fresh process: layer and tensor names restart
        keras.utils.set_random_seed(SEED)
        norm = keras.layers.Normalization()
        norm.adapt(x)
        if task == "classification":
            head = keras.layers.Dense(3, activation="softmax")
            loss, epochs, lr = "sparse_categorical_crossentropy", 5, 0.01
        else:
            head = keras.layers.Dense(1)
            loss, epochs, lr = "mse", 60, 0.05
        model = keras.Sequential(
            [keras.Input(shape=(x.shape[1],)), norm, keras.layers.Dense(16, activation="relu"), head]
        )
        model.compile(optimizer=keras.optimizers.Adam(lr), loss=loss)
        model.fit(x, y.astype(np.float32), epochs=epochs, batch_size=32, verbose=0, shuffle=False)
        out = model.predict(x, verbose=0)
        if task == "classification":
            labels = np.argmax(out, axis=1)
            expected = {
                "framework": "keras",
                "exporter": exporter,
                "target": "target",
                "init": [],
                "task": "classification",
                "classes": [0, 1, 2],
                "labels": [int(v) for v in labels],
                "probabilities": out.astype(np.float64),
            }

            def check_fn(path, check, want=out, labels=labels, frame=frame):
                _, outs = run_onnx(path, matrix32(frame))
                check.probabilities(outs[0], want)
                check.labels(np.argmax(outs[0], axis=1), labels)

        else:
            want = out.reshape(-1).astype(np.float64)
            expected = {
                "framework": "keras",
                "exporter": exporter,
                "target": "target",
                "init": [],
                "task": "regression",
                "classes": None,
                "values": want,
            }
            check_fn = values_check(frame, want)

        def writer(path, model=model):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.export(path, format="onnx", verbose=False)

        write_fixture(name, frame, expected, writer, check_fn, summary)


# ----------------------------------------------------------------------------- README table


def update_readme(summary):
    path = os.path.join(HERE, "README.md")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    old = {}
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < 0:
        raise SystemExit("README.md lacks the fixture-table markers")
    for line in text[start:end].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 8 and cells[0].startswith("`"):
            old[cells[0].strip("`")] = cells
    rows = dict(old)
    for s in summary:
        opsets = ", ".join(f"{d} {v}" for d, v in s["opsets"])
        rows[s["name"]] = [
            f"`{s['name']}`",
            s["framework"],
            s["task"],
            "; ".join(s["inputs"]),
            "; ".join(s["outputs"]),
            f"IR {s['ir']}; {opsets}",
            "yes" if s["side_file"] else "no",
            f"{s['worst']:.2g} ({s['worst_kind']}, {s['rows']} rows)",
        ]
    header = ["fixture", "framework", "task", "inputs", "outputs", "IR; opsets", "side file"]
    header.append("worst ONNX-vs-framework difference")
    table = [header] + [rows[k] for k in sorted(rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    lines = [line(header), line(["-" * w for w in widths])] + [line(r) for r in table[1:]]
    text = text[: start + len(README_START)] + "\n" + "\n".join(lines) + "\n" + text[end:]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated fixture names")
    parser.add_argument(
        "--groups",
        default="torch,lightgbm,xgboost,sklearn,catboost,keras",
        help="comma-separated generator groups (torch, lightgbm, xgboost, sklearn, catboost, keras)",
    )
    args = parser.parse_args()
    only = {s for s in args.only.split(",") if s}
    groups = {s for s in args.groups.split(",") if s}
    summary = []
    if "torch" in groups:
        torch_fixtures(summary, only)
    if "lightgbm" in groups:
        lightgbm_fixtures(summary, only)
    if "xgboost" in groups:
        xgboost_fixtures(summary, only)
    if "sklearn" in groups:
        sklearn_fixtures(summary, only)
    if "catboost" in groups:
        catboost_fixtures(summary, only)
    if "keras" in groups:
        keras_fixtures(summary, only)
    update_readme(summary)
    print(f"{len(summary)} fixtures written")


if __name__ == "__main__":
    sys.exit(main())

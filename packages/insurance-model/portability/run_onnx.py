"""Runs an ONNX model in Python onnxruntime on raw columns read from stdin.

stdin: {"model": "<path to model.onnx>", "columns": {"<input name>": [values, ...], ...}}
stdout: {"onnxruntime": "<version>", "inputs": [{"name", "type", "shape"}],
         "outputs": {"<output name>": [[...], ...]}}

Each column becomes an [N,1] tensor of the element type the model declares for that input;
nothing else is done to the values, so a model that needs more than its raw fields fails here.
"""

import json
import sys

import numpy as np
import onnxruntime as ort

DTYPES = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(int64)": np.int64,
    "tensor(string)": object,
}


def main() -> None:
    request = json.load(sys.stdin)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(
        request["model"], sess_options=options, providers=["CPUExecutionProvider"]
    )
    feeds = {}
    for declared in session.get_inputs():
        if declared.type not in DTYPES:
            raise SystemExit(f"input {declared.name}: unsupported type {declared.type}")
        values = request["columns"][declared.name]
        feeds[declared.name] = np.array(values, dtype=DTYPES[declared.type]).reshape(-1, 1)
    names = [output.name for output in session.get_outputs()]
    results = session.run(names, feeds)
    json.dump(
        {
            "onnxruntime": ort.__version__,
            "inputs": [
                {"name": i.name, "type": i.type, "shape": i.shape} for i in session.get_inputs()
            ],
            "outputs": {name: result.tolist() for name, result in zip(names, results)},
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()

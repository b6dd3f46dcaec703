"""The peer a speed-minded Python user would pick: FastAPI + pydantic + onnxruntime.

It serves OUR model file (MODEL_DIR/model.onnx) and validates with OUR schema
(MODEL_DIR/schema.json), read at startup: the pydantic model of a record is generated from the
schema's fields (numeric ranges, integer or float, categorical levels, unknown fields refused),
so nothing here restates the contract. Each field is fed to onnxruntime as the [N, 1] input
the schema's `inputs` section names, with its declared element type: the raw fields, as the
model expects them (its preprocessing is inside the graph).

POST /predict takes one record, answers {"prediction", "model"}; {"instances": [records]}
answers {"predictions", "model"}, the same bodies and answers as our service. Invalid bodies
get FastAPI's 422. GET /healthz answers once the model is loaded. One intra-op thread per
worker (Gunicorn runs 2 x cores + 1 of them).
"""

import json
import os
from typing import Annotated, Any, Literal, Union

import numpy as np
import onnxruntime as ort
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field, create_model

MODEL_DIR = os.environ["MODEL_DIR"]
MAX_BATCH = int(os.environ.get("MAX_BATCH", "1000"))

with open(os.path.join(MODEL_DIR, "schema.json"), encoding="utf-8") as handle:
    SCHEMA = json.load(handle)

if SCHEMA["inputs"]["layout"] != "per-field":
    raise SystemExit(f"unsupported input layout {SCHEMA['inputs']['layout']!r} (per-field only)")

NUMPY_TYPES = {"float32": np.float32, "float64": np.float64, "int64": np.int64, "string": object}


def field_type(field: dict[str, Any]) -> Any:
    """The annotated Python type of one schema field: its range or its levels, strictly typed."""
    if field["kind"] == "categorical":
        return Literal[tuple(field["levels"])]
    bounds = {"ge": field.get("min"), "le": field.get("max")}
    bounds = {k: v for k, v in bounds.items() if v is not None}
    if field["dtype"] == "integer":
        return Annotated[int, Field(strict=True, **bounds)]
    return Annotated[float, Field(strict=True, allow_inf_nan=False, **bounds)]


Record = create_model(
    "Record",
    __config__=ConfigDict(extra="forbid"),
    **{f["name"]: (field_type(f), ...) for f in SCHEMA["fields"]},
)


class Batch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    instances: Annotated[list[Record], Field(min_length=1, max_length=MAX_BATCH)]  # type: ignore[valid-type]


class ModelRef(BaseModel):
    name: str
    version: str


class Prediction(BaseModel):
    prediction: float
    model: ModelRef


class Predictions(BaseModel):
    predictions: list[float]
    model: ModelRef


options = ort.SessionOptions()
options.intra_op_num_threads = 1
options.inter_op_num_threads = 1
session = ort.InferenceSession(
    os.path.join(MODEL_DIR, "model.onnx"), sess_options=options, providers=["CPUExecutionProvider"]
)
FEEDS = [
    (spec["input"], spec["field"], NUMPY_TYPES[spec["type"]])
    for spec in SCHEMA["inputs"]["inputs"]
]
OUTPUT = SCHEMA["output"]["name"]
MODEL_REF = ModelRef(name=SCHEMA["model"]["name"], version=SCHEMA["model"]["version"])


def predict(records: list[Any]) -> list[float]:
    feeds = {
        name: np.array([getattr(r, field) for r in records], dtype=dtype).reshape(-1, 1)
        for name, field, dtype in FEEDS
    }
    (result,) = session.run([OUTPUT], feeds)
    return result.reshape(-1).tolist()


app = FastAPI(title=f"{SCHEMA['model']['name']} (FastAPI peer)")


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


# `async def`: one onnxruntime run of a few records takes tens of microseconds, less than
# the hop to FastAPI's thread pool that a plain `def` would add.
@app.post("/predict", response_model=Union[Prediction, Predictions])
async def predict_route(body: Union[Record, Batch]) -> Prediction | Predictions:  # type: ignore[valid-type]
    if isinstance(body, Batch):
        return Predictions(predictions=predict(body.instances), model=MODEL_REF)
    return Prediction(prediction=predict([body])[0], model=MODEL_REF)

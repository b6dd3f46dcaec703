"""The Flask app of the tutorial stack we replace, kept as close to the tutorial as possible.

`/predict_api` takes one JSON record, builds `pd.DataFrame([data])`, calls `model.predict` and
returns the prediction as JSON. One addition so that the 64-record benchmark can send both
stacks the same body: `{"instances": [...]}` builds a DataFrame of all the records and returns
the list of predictions. The pickle path comes from PEER_MODEL (written by train.py).
"""

import os
import pickle

import pandas as pd
from flask import Flask, jsonify, request

app = Flask(__name__)
model = pickle.load(open(os.environ.get("PEER_MODEL", "model.pkl"), "rb"))


@app.route("/predict_api", methods=["POST"])
def predict_api():
    data = request.get_json(force=True)
    if "instances" in data:
        predictions = model.predict(pd.DataFrame(data["instances"]))
        return jsonify(predictions.tolist())
    data_unseen = pd.DataFrame([data])
    prediction = model.predict(data_unseen)
    return jsonify(float(prediction[0]))

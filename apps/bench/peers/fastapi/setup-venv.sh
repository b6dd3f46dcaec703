#!/usr/bin/env bash
# Creates apps/bench/peers/fastapi/.venv with the FastAPI peer's packages (requirements.txt:
# FastAPI, pydantic, gunicorn, uvicorn with uvloop and httptools, onnxruntime). Idempotent:
# does nothing when the pinned versions are already installed. Needs a python3 (3.9+) whose
# pip reaches PyPI or a mirror of it (pip's own config decides which).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" - "$here/requirements.txt" <<'PY'
import re
import sys
from importlib.metadata import PackageNotFoundError, version

ok = True
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line:
        continue
    name, pinned = line.split("==")
    try:
        ok = ok and version(re.sub(r"[-_.]+", "-", name)) == pinned
    except PackageNotFoundError:
        ok = False
sys.exit(0 if ok else 1)
PY
then
  echo "FastAPI peer: $venv is up to date"
  exit 0
fi
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --retries 1 --timeout 10 -r "$here/requirements.txt"
echo "FastAPI peer: installed into $venv"

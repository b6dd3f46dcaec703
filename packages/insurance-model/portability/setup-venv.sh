#!/usr/bin/env bash
# Creates packages/insurance-model/.venv with Python onnxruntime (requirements.txt) for the
# portability check. Idempotent: does nothing when the pinned versions are already there.
# Needs a python3 (3.9+) whose pip can reach PyPI or a mirror of it (pip's own config).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$(dirname "$here")/.venv"
python="${PYTHON:-python3}"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" - "$here/requirements.txt" <<'PY'
import sys
from importlib.metadata import version, PackageNotFoundError
ok = True
for line in open(sys.argv[1]):
    line = line.split('#')[0].strip()
    if not line:
        continue
    name, pinned = line.split('==')
    try:
        ok = ok and version(name) == pinned
    except PackageNotFoundError:
        ok = False
sys.exit(0 if ok else 1)
PY
then
  echo "python onnxruntime: $venv is up to date"
  exit 0
fi
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --retries 1 --timeout 10 -r "$here/requirements.txt"
echo "python onnxruntime: installed into $venv"

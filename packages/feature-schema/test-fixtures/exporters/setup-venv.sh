#!/bin/sh
# Creates the generator's venv in .venv/ (gitignored) beside this script. CI never runs it: the
# generated fixtures are committed. Needs Debian's python3-xgboost (apt-get install -y
# python3-xgboost) for the XGBoost fixtures, hence /usr/bin/python3 and --system-site-packages.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
/usr/bin/python3 -m venv --system-site-packages "$here/.venv"
# Extra pip options (an index, find-links) may follow: setup-venv.sh --index-url URL ...
"$here/.venv/bin/pip" install -r "$here/requirements.txt" "$@"

#!/bin/sh
# Entrypoint of the stand-in Node base image (see stand-in-base.sh). It follows the
# convention of the official node images: `docker run IMAGE app.js` or
# `docker run IMAGE --version` runs node, while `docker run IMAGE bash` runs bash.
set -e

first=${1-}
if [ -z "$first" ]; then
  set -- node
elif [ "${first#-}" != "$first" ]; then
  # an option: meant for node
  set -- node "$@"
elif ! command -v "$first" >/dev/null 2>&1; then
  # not a command on PATH (a script file, say): hand it to node
  set -- node "$@"
elif [ -f "$first" ] && [ ! -x "$first" ]; then
  # a file that exists but cannot be executed itself
  set -- node "$@"
fi

exec "$@"

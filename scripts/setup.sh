#!/usr/bin/env bash
# Idempotent setup: system packages, .venv with the pinned CPU torch, the package, the offline model.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="tesseract-ocr tesseract-ocr-swe hunspell hunspell-sv-se poppler-utils chromium fonts-dejavu-core"
missing=""
for pkg in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "setup: installing system packages:$missing"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
# torch first and pinned: this exact version resolves to the local CPU build (no CUDA downloads).
if ! .venv/bin/python -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '2.13.0')" 2>/dev/null; then
  echo "setup: installing torch==2.13.0 (CPU)"
  .venv/bin/pip install -q torch==2.13.0
fi
stamp=.venv/.planmine-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing planmine and its dependencies"
  .venv/bin/pip install -q torch==2.13.0 -e ".[dev]"
  touch "$stamp"
fi
if [ ! -f models/multilingual-e5-small-q4/.complete ] || [ ! -f models/multilingual-e5-small-q4/onnx/model.onnx ]; then
  echo "setup: building the offline embedding model into models/"
  .venv/bin/planmine model install
fi

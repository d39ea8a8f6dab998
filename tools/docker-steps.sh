#!/usr/bin/env bash
# The Dockerfile's build steps, run outside Docker (no engine on these machines), so that CI fails
# when a step of the image would fail. Keep in step with the Dockerfile.
# Usage: tools/docker-steps.sh [WORKDIR]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
python="${PYTHON:-python3}"

echo "docker-steps: building in $work"
mkdir -p "$work/src"
# COPY pyproject.toml requirements.lock README.md babel.cfg scoring storage bot frameworks locales
cp "$here"/pyproject.toml "$here"/requirements.lock "$here"/README.md "$here"/babel.cfg "$work/src/"
cp -r "$here"/scoring "$here"/storage "$here"/bot "$here"/frameworks "$here"/locales "$work/src/"
find "$work/src" -name '__pycache__' -prune -exec rm -rf {} + ; rm -f "$work/src/locales/vi/LC_MESSAGES/messages.mo"
cd "$work/src"
"$python" -m venv "$work/opt-dti"
export PATH="$work/opt-dti/bin:$PATH"
export PIP_DISABLE_PIP_VERSION_CHECK=1
# step 1
pip install -q "babel>=2.14" && pybabel compile -d locales -D messages --statistics
# step 2
pip install -q -r requirements.lock && pip install -q --no-deps . && dti-bot --help >/dev/null
# The runtime stage: a fresh data folder as the non-root user would have it, from another directory.
mkdir -p "$work/data" && cd "$work/data"
export DTI_DATA_DIR="$work/data"
dti-bot db upgrade --create
dti-bot framework check "$(python -c 'import scoring, pathlib; print(pathlib.Path(scoring.__file__).parent / "frameworks" / "qd922-tinh.yaml")')" | grep -q "Hợp lệ"
dti-bot doctor --quick | grep -q "Mọi thứ đều ổn"
test -f "$(python -c 'import bot, pathlib; print(pathlib.Path(bot.__file__).parent / "locales/vi/LC_MESSAGES/messages.mo")')"
echo "docker-steps: OK (image steps pass; locales compiled and packaged; migrations and doctor run)"

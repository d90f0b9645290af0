# Shared by scripts/demo and scripts/test: make .venv and install the package (idempotent: a
# second run reinstalls only when pyproject.toml changed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY="${PYTHON:-python3}"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "clerk-tui needs Python 3.11 or newer ($("$PY" --version) found)." >&2; exit 1; }
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)-${1:-app}"
if [ ! -f "$stamp" ]; then
  extra=""; [ "${1:-app}" = test ] && extra="[test]"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".${extra}"
  touch "$stamp"
fi

# Sourced by the scripts that need the JavaScript and Python tools: installs them, pinned, once.
# npm packages come from package-lock.json (npm ci); Python tools into .cache/clients-venv from
# scripts/clients-requirements.txt. Both are reinstalled when their pins change.

ensure_node_modules() {
  command -v npm >/dev/null || { echo "npm not found: run scripts/install-deps" >&2; return 1; }
  if ! cmp -s package-lock.json node_modules/.tessera-installed-lock 2>/dev/null; then
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.tessera-installed-lock
  fi
}

clients_venv=.cache/clients-venv

ensure_clients_venv() {
  local venv=$clients_venv
  if [ ! -x "$venv/bin/python" ] || ! cmp -s scripts/clients-requirements.txt "$venv/requirements.txt"; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r scripts/clients-requirements.txt
    cp scripts/clients-requirements.txt "$venv/requirements.txt"
  fi
}

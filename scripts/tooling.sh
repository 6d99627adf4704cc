# Sourced by the scripts that need the JavaScript and Python tools: installs them, pinned, once.
# npm packages come from package-lock.json (npm ci); Python tools into private virtualenvs under
# .cache/ (clients-venv from scripts/clients-requirements.txt, fuzz-venv from
# scripts/fuzz-requirements.txt, deploy-venv from scripts/deploy-requirements.txt). Each is
# reinstalled when its pins change.

ensure_node_modules() {
  command -v npm >/dev/null || { echo "npm not found: run scripts/install-deps" >&2; return 1; }
  if ! cmp -s package-lock.json node_modules/.tessera-installed-lock 2>/dev/null; then
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.tessera-installed-lock
  fi
}

# A private virtualenv .cache/NAME with the pins of REQUIREMENTS, made again when they change.
ensure_venv() {
  local venv=.cache/$1 requirements=$2
  if [ ! -x "$venv/bin/python" ] || ! cmp -s "$requirements" "$venv/requirements.txt"; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
  fi
}

clients_venv=.cache/clients-venv

ensure_clients_venv() {
  ensure_venv clients-venv scripts/clients-requirements.txt
}

fuzz_venv=.cache/fuzz-venv

# schemathesis, for scripts/check-api-fuzz.
ensure_fuzz_venv() {
  ensure_venv fuzz-venv scripts/fuzz-requirements.txt
}

deploy_venv=.cache/deploy-venv

# A Helm engine (helm-python-sdk) and the Kubernetes schemas, for packaging the chart in
# scripts/release and scripts/check-release (scripts/check-deploy makes the same virtualenv).
ensure_deploy_venv() {
  ensure_venv deploy-venv scripts/deploy-requirements.txt
}

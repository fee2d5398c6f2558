#!/usr/bin/env bash
# `make check-deploy`: what can be checked of the deployment files without a Docker engine.
#  1. compose.yaml against the Compose specification's JSON Schema (bundled: works offline);
#  2. `nginx -t` on infra/nginx/nginx.conf with Debian's nginx, a throwaway self-signed
#     certificate in place of the `tls` volume, and a temporary prefix (no root paths needed);
#  3. the dev-certificate script, run into a temporary folder.
# Not checked here: building the images and running the stack (needs Docker; see
# README.md, "What was and was not run").
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV_BIN:-.venv/bin}"

echo "check-deploy: compose.yaml against the Compose specification"
"$BIN/check-jsonschema" --builtin-schema vendor.compose-spec compose.yaml

nginx_bin="$(command -v nginx || true)"
[ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx
if [ -z "$nginx_bin" ]; then
  if [ -n "${CI:-}" ]; then
    echo "check-deploy: nginx is not installed (.ci/run installs it)" >&2
    exit 1
  fi
  echo "check-deploy: SKIPPED nginx -t: nginx is not installed (apt-get install nginx)" >&2
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/certs"
CERT_DIR="$tmp/certs" TLS_DOMAIN=localhost sh infra/docker/dev-cert.sh
# The only differences from production: the certificate's and the temporary files' folders.
sed -e "s#/etc/nginx/certs/#$tmp/certs/#g" -e "s#/tmp/nginx-#$tmp/nginx-#g" \
  infra/nginx/nginx.conf > "$tmp/nginx.conf"
echo "check-deploy: $("$nginx_bin" -v 2>&1) -t on infra/nginx/nginx.conf"
"$nginx_bin" -e stderr -p "$tmp" -c "$tmp/nginx.conf" -t

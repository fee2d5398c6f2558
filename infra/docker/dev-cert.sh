#!/bin/sh
# First start only: a self-signed development certificate for Nginx and Mosquitto's TLS
# listener, into the `tls` volume. Never committed; replace it with a real certificate by
# putting server.crt and server.key (PEM) into the volume or by mounting your own folder.
set -eu
dir="${CERT_DIR:-/certs}"
domain="${TLS_DOMAIN:-localhost}"
if [ -s "$dir/server.crt" ] && [ -s "$dir/server.key" ]; then
  echo "dev-cert: $dir/server.crt exists, kept"
  exit 0
fi
umask 077
# openssl's progress output only when it fails (then it says why).
if ! said="$(openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 397 \
  -subj "/CN=$domain" \
  -addext "subjectAltName=DNS:$domain,DNS:localhost,IP:127.0.0.1" \
  -keyout "$dir/server.key" -out "$dir/server.crt" 2>&1)"; then
  echo "dev-cert: openssl failed: $said" >&2
  exit 1
fi
chmod 644 "$dir/server.crt"
# Mosquitto reads the key after dropping to its own uid (1883): give its group read access
# (TLS_KEY_GROUP; compose.yaml runs this with that group as a supplementary one).
if [ -n "${TLS_KEY_GROUP:-}" ]; then
  chgrp "$TLS_KEY_GROUP" "$dir/server.key"
  chmod 640 "$dir/server.key"
fi
echo "dev-cert: created a self-signed certificate for $domain in $dir (development only)"

#!/bin/sh
# Installs a packed epmd-scan (the tarball of `npm pack`) the one way the
# Dockerfile, the GitHub Action and the pack test all do: globally, with
# lifecycle scripts disabled, so the tarball must carry its build.
# Usage: install-tarball.sh <epmd-scan-X.tgz> [prefix]   (no prefix: npm's global one)
set -eu
tgz=$1
if [ -n "${2:-}" ]; then set -- --prefix "$2"; else set --; fi
npm install --global --ignore-scripts --omit=dev --prefer-offline --no-audit --no-fund "$@" "$tgz"

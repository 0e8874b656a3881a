#!/usr/bin/env bash
# Installs the system packages the local stack and the tests need, if any is missing:
# Java + Maven (the Kafka broker), PostgreSQL server binaries, Chromium + chromedriver
# (the progress-window browser test). Uses Debian's apt as root; otherwise says what to do.
set -euo pipefail

need() { command -v "$1" >/dev/null 2>&1; }
missing=()
need java || missing+=(openjdk-17-jre-headless)
need mvn || missing+=(maven)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && need apt-get; then
  echo "installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "missing system packages: ${missing[*]}" >&2
  echo "install them (e.g. sudo apt-get install ${missing[*]}) and run make again" >&2
  exit 1
fi

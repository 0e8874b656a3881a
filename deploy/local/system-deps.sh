#!/usr/bin/env bash
# Installs the system packages the local stack needs, if any is missing: Java + Maven (the
# Kafka broker) and PostgreSQL server binaries. Chromium + chromedriver serve only the
# progress-window browser test, so they are added only for tests: with --browser,
# SYSTEM_DEPS_BROWSER=1, or when `make test` runs this (the Makefile calls it for every
# target, `make up` included, which must not need a browser). --dry-run only prints.
# Uses Debian's apt as root; otherwise says what to do.
set -euo pipefail

browser=${SYSTEM_DEPS_BROWSER:-0}
dry_run=0
for arg in "$@"; do
  case "$arg" in
    --browser) browser=1 ;;
    --dry-run) dry_run=1 ;;
    *) echo "usage: $0 [--browser] [--dry-run]" >&2; exit 2 ;;
  esac
done

# Is a `make ... test ...` among our ancestors (make may run us through a shell)?
run_by_make_test() {
  local pid=$PPID args
  for _ in 1 2 3 4; do
    [ "$pid" -gt 1 ] && [ -r "/proc/$pid/cmdline" ] || return 1
    args=" $(tr '\0' ' ' < "/proc/$pid/cmdline")"
    case "$args" in
      *[/\ ]make\ *) case "$args " in *\ test\ *) return 0 ;; *) return 1 ;; esac ;;
      " bash "*|" sh "*|*/bash\ *|*/sh\ *) ;;  # make runs recipes through a shell: keep looking
      *) return 1 ;;  # started by some other program (a test, a script): not by make
    esac
    pid=$(awk '{print $4}' "/proc/$pid/stat")
  done
  return 1
}
if [ "$browser" != 1 ] && run_by_make_test; then browser=1; fi

need() { command -v "$1" >/dev/null 2>&1; }
missing=()
need java || missing+=(openjdk-17-jre-headless)
need mvn || missing+=(maven)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
if [ "$browser" = 1 ]; then
  [ -x "${CHROMIUM_BIN:-/usr/bin/chromium}" ] || missing+=(chromium)
  [ -x "${CHROMEDRIVER_BIN:-/usr/bin/chromedriver}" ] || missing+=(chromium-driver)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$dry_run" = 1 ]; then
  echo "would install: ${missing[*]}"
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

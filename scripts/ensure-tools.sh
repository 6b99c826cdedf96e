#!/usr/bin/env bash
# Installs the Debian tools the tests drive for real (fio, strace, chromium, cc, python3-lmdb) when they are
# missing. Runs before `npm test`; a no-op when they are already there.
set -euo pipefail
need=()
for tool in fio strace; do
  command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
# Chromium for the browser test of reports (test/report-browser.e2e.ts, npm run test:browser, drives /usr/bin/chromium)
[ -x /usr/bin/chromium ] || need+=(chromium)
# a C compiler for syncsim record's shim and the kernel probes; LMDB's Python binding for the recorded database
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
/usr/bin/python3 -c 'import lmdb' >/dev/null 2>&1 || need+=(python3 python3-lmdb)
[ ${#need[@]} -eq 0 ] && exit 0
echo "ensure-tools: installing ${need[*]} from Debian" >&2
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "ensure-tools: need root to install ${need[*]} (apt-get install ${need[*]})" >&2; exit 1
  fi
else SUDO=""; fi
# shellcheck source=scripts/apt-install.sh
. "$(dirname "$0")/apt-install.sh"
apt_install "${need[@]}" >/dev/null

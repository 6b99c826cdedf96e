#!/usr/bin/env bash
# Installs the Debian tools the tests drive for real (fio, strace, chromium) when they are
# missing. Runs before `npm test`; a no-op when they are already there.
set -euo pipefail
need=()
for tool in fio strace; do
  command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
# Chromium for the browser test of reports (test/report-browser.test.ts drives /usr/bin/chromium)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
echo "ensure-tools: installing ${need[*]} from Debian" >&2
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "ensure-tools: need root to install ${need[*]} (apt-get install ${need[*]})" >&2; exit 1
  fi
else SUDO=""; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

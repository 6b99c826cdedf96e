#!/usr/bin/env bash
# apt_install PKG...: apt-get update, then apt-get install of PKG (no recommends, quiet), as root or through
# $SUDO. Another apt or dpkg running meanwhile (unattended-upgrades, or the test scripts of npm test and
# test:slurm installing at once on a fresh machine) holds apt's locks: each step then waits for them, up to
# APT_LOCK_WAIT seconds (default 600), rather than failing.
apt_install() {
  local wait=${APT_LOCK_WAIT:-600} start=$SECONDS step out status
  export DEBIAN_FRONTEND=noninteractive
  for step in update install; do
    while :; do
      status=0
      if [ "$step" = update ]; then
        out=$(${SUDO:-} apt-get -o DPkg::Lock::Timeout=10 update -qq 2>&1) || status=$?
      else
        out=$(${SUDO:-} apt-get -o DPkg::Lock::Timeout=10 install -y -qq --no-install-recommends "$@" 2>&1) || status=$?
      fi
      [ "$status" -eq 0 ] && break
      if grep -q 'Could not get lock\|Unable to lock\|Unable to acquire the dpkg frontend lock' <<<"$out" && [ $((SECONDS - start)) -lt "$wait" ]; then
        sleep 5
        continue
      fi
      printf '%s\n' "$out" >&2
      return "$status"
    done
  done
}

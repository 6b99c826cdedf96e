#!/usr/bin/env bash
# npm run test:slurm — the Slurm path of syncsim sweep, for real, on this machine:
#   1. installs slurm-wlm and munge from Debian when missing (needs root or sudo);
#   2. starts a private single-node cluster: munged, slurmctld and slurmd with their own key,
#      socket, ports, state and logs in a temporary directory (nothing in /etc is used);
#   3. submits workloads/experiments/slurm-smoke.yaml with scripts/slurm/sweep.sbatch as a
#      4-task array job plus the dependent merge job, and runs the same sweep locally with
#      --jobs 2 meanwhile;
#   4. waits for the merge job and checks that the merged aggregate.csv (and results.csv)
#      equal the local ones byte for byte;
#   5. cancels its jobs, stops the daemons it started (by pid) and removes the directory,
#      on success, failure or interruption.
# Every wait has a timeout; the whole test stops after TEST_SLURM_TIMEOUT seconds (default 300).
set -euo pipefail

ROOT=$(cd "$(dirname "$(realpath "$0")")/../.." && pwd)
EXP="$ROOT/workloads/experiments/slurm-smoke.yaml"
TASKS=4
LIMIT=${TEST_SLURM_TIMEOUT:-300}
START=$SECONDS
log() { printf 'test:slurm [%3ds] %s\n' "$((SECONDS - START))" "$*"; }
left() { echo $((LIMIT - (SECONDS - START))); }
die() { log "FAIL: $*"; exit 1; }

# ---- 1. packages
need=()
for bin in sbatch squeue scontrol scancel slurmctld slurmd munged; do
  command -v "$bin" >/dev/null 2>&1 || need=(slurm-wlm munge)
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "slurm-wlm and munge are missing and installing them needs root"
    SUDO=sudo
  else SUDO=""; fi
  log "installing ${need[*]} from Debian"
  # shellcheck source=scripts/apt-install.sh
  . "$ROOT/scripts/apt-install.sh"
  APT_LOCK_WAIT=$(left) apt_install "${need[@]}" >/dev/null || die "installing ${need[*]} failed"
fi

# ---- 2. a private cluster
T=$(mktemp -d /tmp/syncsim-slurm.XXXXXX)
chmod 755 "$T"
pids=()
jobs_submitted=()
cleanup() {
  local status=$?
  set +e
  if [ ${#jobs_submitted[@]} -gt 0 ] && [ -n "${SLURM_CONF:-}" ]; then
    timeout 10 scancel "${jobs_submitted[@]}" >/dev/null 2>&1
    # let the job steps see the cancellation before their daemon goes away
    for _ in $(seq 1 50); do
      [ -z "$(timeout 5 squeue -h -j "$(IFS=,; echo "${jobs_submitted[*]}")" 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
  for ((k = ${#pids[@]} - 1; k >= 0; k--)); do
    kill -TERM "${pids[k]}" 2>/dev/null
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [ "$status" -ne 0 ] && [ -d "$T/log" ]; then
    for f in "$T"/log/*; do echo "---- $f (last lines)"; tail -n 15 "$f"; done
    for f in "$T"/out/logs/*; do [ -f "$f" ] && { echo "---- $f"; tail -n 15 "$f"; }; done
  fi
  rm -rf "$T"
  log "daemons stopped, $T removed"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$T/munge" "$T/state" "$T/spool" "$T/log"
head -c 1024 /dev/urandom > "$T/munge/munge.key"
chmod 600 "$T/munge/munge.key"
munged -F --force --key-file="$T/munge/munge.key" --socket="$T/munge/munge.sock" \
  --pid-file="$T/munge/munged.pid" --seed-file="$T/munge/munged.seed" --log-file="$T/log/munged.log" \
  >"$T/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -S "$T/munge/munge.sock" ] && break; sleep 0.1; done
[ -S "$T/munge/munge.sock" ] || die "munged did not start"

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
HOST=$(hostname -s)
export SLURM_CONF="$T/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=syncsimtest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/munge.sock
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
MinJobAge=600
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=syncsim Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -i -f "$SLURM_CONF" >"$T/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$T/log/slurmd.out" 2>&1 &
pids+=($!)
state=""
for _ in $(seq 1 300); do
  state=$(timeout 5 sinfo -h -o %T 2>/dev/null || true)
  [ "$state" = "idle" ] && break
  sleep 0.1
done
[ "$state" = "idle" ] || die "the node did not come up (state '$state')"
log "cluster up: munged, slurmctld, slurmd (pids ${pids[*]}), node $HOST with $(nproc) CPUs"

# The state job $1 ended in (COMPLETED, FAILED, ...), once it has ended; empty when the test's time ran out.
end_state() {
  local st=""
  while [ "$(left)" -gt 0 ]; do
    st=$(timeout 5 scontrol -o show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' || true)
    case "$st" in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE) echo "$st"; return ;; esac
    sleep 0.5
  done
}

# ---- 3. submit, and run the same sweep locally meanwhile
submitted=$("$ROOT/scripts/slurm/sweep.sbatch" "$EXP" "$T/out" "$TASKS" --cpus-per-task=1 --time=10)
echo "$submitted" | sed 's/^/    /'
read -r array merge < <(echo "$submitted" | sed -n 's/^jobs: //p')
[ -n "${merge:-}" ] || die "could not read the job ids"
jobs_submitted=("$array" "$merge")
log "local sweep --jobs 2"
timeout "$(left)" node "$ROOT/scripts/syncsim.mjs" sweep "$EXP" --out "$T/local" --jobs 2 >/dev/null 2>"$T/log/local-sweep.err" \
  || die "the local sweep failed: $(tail -3 "$T/log/local-sweep.err")"

# ---- 4. wait for the merge job
final=$(end_state "$merge")
[ "$final" = "COMPLETED" ] || die "merge job $merge ended in state '${final:-unknown}' (or the test timed out)"
for f in "$T"/out/logs/*; do tail -n 2 "$f" | sed "s|^|    $(basename "$f"): |"; done
for i in $(seq 1 "$TASKS"); do
  grep -q "sweep shard $i/$TASKS" "$T"/out/logs/sweep-"$array"_"$i".out || die "no log of array task $i"
done
cmp "$T/out/merged/aggregate.csv" "$T/local/aggregate.csv" || die "merged aggregate.csv differs from the local --jobs 2 one"
cmp "$T/out/merged/results.csv" "$T/local/results.csv" || die "merged results.csv differs from the local --jobs 2 one"
runs=$(($(wc -l <"$T/local/results.csv") - 1))

# ---- 5. one task submitted again alone (--array=2) is still shard 2 of TASKS: it resumes its shard (nothing left to run)
again=$(sbatch --parsable --array=2 --output="$T/out/logs/again-%A_%a.out" --export="ALL,SYNCSIM_ROOT=$ROOT" \
  --cpus-per-task=1 --time=10 "$ROOT/scripts/slurm/sweep.sbatch" "$(realpath "$EXP")" "$T/out" "$TASKS")
again=${again%%;*}
jobs_submitted+=("$again")
state=$(end_state "$again")
[ "$state" = "COMPLETED" ] || die "task 2 submitted again ended in state '${state:-unknown}'"
grep -q "sweep shard 2/$TASKS" "$T"/out/logs/again-"$again"_2.out || die "task 2 submitted again did not run shard 2/$TASKS: $(cat "$T"/out/logs/again-"$again"_2.out)"
timeout "$(left)" node "$ROOT/scripts/syncsim.mjs" merge "$T"/out/shards/* --out "$T/merged-again" >/dev/null 2>"$T/log/merge-again.err" \
  || die "merging after task 2 ran again failed: $(tail -2 "$T/log/merge-again.err")"
cmp "$T/merged-again/results.csv" "$T/local/results.csv" || die "results.csv after task 2 ran again differs"
log "PASS: $TASKS-task array job $array + merge job $merge, $runs runs; merged aggregate.csv and results.csv equal the local --jobs 2 sweep byte for byte; task 2 submitted again alone ran shard 2/$TASKS"

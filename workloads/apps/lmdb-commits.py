#!/usr/bin/python3
"""A real database client for syncsim's validation: LMDB transactions with
a writable memory map (writemap=True), so that every commit makes LMDB
msync(MS_SYNC) its data map and then its meta page.

Run it under `syncsim record` to get a trace with the exact dirty pages of
each msync and each msync's measured latency:

    syncsim record -o lmdb.csv -- /usr/bin/python3 workloads/apps/lmdb-commits.py

Options: --txns N (300), --puts K per transaction (4), --value-size BYTES
(512), --map-size MIB (64), --seed S (1), --dir DIR (default: a new directory
under the system temporary directory, removed at the end). Needs Debian's
python3-lmdb (LMDB 0.9) and the Debian /usr/bin/python3.
"""
import argparse
import os
import random
import shutil
import sys
import tempfile

try:
    import lmdb
except ImportError:
    sys.stderr.write("lmdb-commits: the lmdb module is missing: apt-get install python3-lmdb (and run /usr/bin/python3)\n")
    sys.exit(2)


def main():
    ap = argparse.ArgumentParser(description="LMDB commits with writemap=True (one msync of the map and one of the meta page per commit)")
    ap.add_argument("--txns", type=int, default=300)
    ap.add_argument("--puts", type=int, default=4)
    ap.add_argument("--value-size", type=int, default=512)
    ap.add_argument("--map-size", type=int, default=64, help="MiB")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    own = a.dir is None
    path = tempfile.mkdtemp(prefix="syncsim-lmdb-") if own else a.dir
    try:
        env = lmdb.open(path, map_size=a.map_size << 20, writemap=True, sync=True, metasync=True, map_async=False)
        for t in range(a.txns):
            with env.begin(write=True) as txn:
                for _ in range(a.puts):
                    key = b"k%08d" % rng.randrange(1_000_000)
                    txn.put(key, rng.randbytes(a.value_size))
        env.close()
    finally:
        if own:
            shutil.rmtree(path, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

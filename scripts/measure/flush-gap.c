/*
 * syncsim's FLUSH-gap probe (scripts/validate/flush-gap.ts runs it from `syncsim calibrate`).
 * Usage: flush-gap FILE ROUNDS SIDE
 *
 * FILE is an existing data file of at least 1 MiB (calibrate's laid-out
 * file); SIDE an existing file that nothing else writes (calibrate makes
 * it). ROUNDS times, interleaved, each mode below takes SAMPLES samples.
 * One sample: keep this thread busy (a spin on CLOCK_MONOTONIC, not a sleep:
 * a program that syncs between stores keeps its CPU busy, and a vCPU that
 * halts makes every I/O after it dearer on its own) for GAP µs, write WRITES
 * random 4 KiB blocks of FILE with pwrite (O_DIRECT, one at a time), then
 * fdatasync SIDE: a FLUSH alone, which takes FILE's writes out of the
 * device's cache. Not an fdatasync of FILE: a write changes FILE's mtime
 * whenever the kernel's coarse clock has ticked since the last change (once
 * a jiffy, 4 ms at HZ=250), and ext4 then writes the inode in the
 * fdatasync, so an fdatasync of FILE grows with the gap by that write
 * (traced with block_rq_issue on the development machine, 2026-12-05: the
 * FLUSH itself took 43–47 µs at the median after every gap from 0 to 16 ms,
 * while the share of fdatasyncs that wrote the inode went 0.03, 0.17, 0.31,
 * 0.56 and 1.00 from 0 to 4 ms). The model writes that inode on its own
 * (sim/fs/ext4-nojournal.ts), so a table with it would count it twice.
 * Each sample prints
 *   writes,gap_us,since_ns,sync_ns
 * since_ns: from the end of the previous fdatasync to the start of this one
 * (what the FLUSH's cost is measured against); sync_ns: the fdatasync.
 * The first sample of each mode in a round is not printed (its `since`
 * belongs to the mode before).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct mode { int writes; int gap_us; };
static const struct mode MODES[] = {
  {1, 0}, {1, 500}, {1, 1000}, {1, 2000}, {1, 4000}, {1, 8000}, {1, 16000}, {8, 0}, {32, 0},
};
#define NMODES (int)(sizeof MODES / sizeof MODES[0])
#define SAMPLES 12

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: flush-gap FILE ROUNDS SIDE\n"); return 2; }
  char *end;
  long rounds = strtol(argv[2], &end, 10);
  if (*argv[2] == '\0' || *end != '\0' || rounds < 1 || rounds > 1000) { fprintf(stderr, "flush-gap: ROUNDS must be an integer from 1 to 1000 (got '%s')\n", argv[2]); return 2; }
  int fd = open(argv[1], O_RDWR | O_DIRECT);
  if (fd < 0) { perror(argv[1]); return 1; }
  int side = open(argv[3], O_RDWR);
  if (side < 0) { perror(argv[3]); return 1; }
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size < (1 << 20)) { fprintf(stderr, "%s: needs at least 1 MiB\n", argv[1]); return 1; }
  int64_t blocks = st.st_size / 4096;
  void *buf;
  if (posix_memalign(&buf, 4096, 4096) != 0) { perror("posix_memalign"); return 1; }
  memset(buf, 0x5a, 4096);
  srandom(1);
  if (fdatasync(fd) != 0 || fdatasync(side) != 0) { perror("fdatasync"); return 1; }
  int64_t last = now_ns();
  for (long r = 0; r < rounds; r++) {
    for (int m = 0; m < NMODES; m++) {
      for (int s = 0; s <= SAMPLES; s++) {
        int64_t t0 = now_ns();
        while (now_ns() - t0 < (int64_t)MODES[m].gap_us * 1000) { /* spin */ }
        for (int w = 0; w < MODES[m].writes; w++) {
          ssize_t n = pwrite(fd, buf, 4096, (off_t)(random() % blocks) * 4096);
          if (n < 0) { perror("pwrite"); return 1; }
          if (n != 4096) { fprintf(stderr, "pwrite: wrote %zd of 4096 bytes\n", n); return 1; }
        }
        int64_t t1 = now_ns();
        if (fdatasync(side) != 0) { perror("fdatasync"); return 1; }
        int64_t t2 = now_ns();
        if (s > 0) printf("%d,%d,%lld,%lld\n", MODES[m].writes, MODES[m].gap_us, (long long)(t1 - last), (long long)(t2 - t1));
        last = t2;
      }
    }
  }
  close(side);
  close(fd);
  return 0;
}

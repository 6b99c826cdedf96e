/*
 * syncsim's large-folio probe of the running Linux kernel (run as root; test/linux-folios.test.ts).
 * Usage: folio-dirty FILE PAGES STORE_PAGE...
 *
 * Writes FILE (PAGES pages) with 4 KiB write()s, fsyncs it and drops its page
 * cache (POSIX_FADV_DONTNEED), maps it shared and loads one byte of every
 * page in order (read-ahead brings it in). Then, for each STORE_PAGE, stores
 * one byte to that page, counts the mapping's dirty pages (KPF_DIRTY,
 * /proc/kpageflags bit 4, of the PFN /proc/self/pagemap gives),
 * msync(MS_SYNC)s that page alone (4 KiB), and counts them again. Prints one
 * line per store:
 *   dirty_before dirty_after
 * Exit 1 on a system error (message on stderr), 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PS 4096L
#define KPF_DIRTY 4

static long number(const char *s, long lo, long hi) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
    fprintf(stderr, "folio-dirty: '%s' is not an integer from %ld to %ld\n", s, lo, hi);
    exit(2);
  }
  return v;
}

/* The mapping's dirty pages (KPF_DIRTY of each present page's PFN), or -1 on an error (reported). */
static long dirtyPages(int pm, int kf, volatile char *m, long pages, uint64_t *ent) {
  if (pread(pm, ent, (size_t)pages * 8, (off_t)((uintptr_t)m / PS) * 8) != pages * 8) { perror("pagemap"); return -1; }
  long dirty = 0;
  for (long i = 0; i < pages; i++) {
    uint64_t pfn = ent[i] & ((1ULL << 55) - 1), flags = 0;
    if (!(ent[i] >> 63) || pfn == 0) continue; /* not present (or no PFN shown) */
    if (pread(kf, &flags, 8, (off_t)(pfn * 8)) != 8) { perror("kpageflags"); return -1; }
    if (flags >> KPF_DIRTY & 1) dirty++;
  }
  return dirty;
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: folio-dirty FILE PAGES STORE_PAGE...\n"); return 2; }
  long pages = number(argv[2], 1, 1L << 22);
  int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) { perror(argv[1]); return 1; }
  static char block[PS];
  memset(block, 0x5a, sizeof block);
  for (long i = 0; i < pages; i++) {
    if (write(fd, block, PS) != PS) { perror("write"); return 1; }
  }
  if (fsync(fd) != 0) { perror("fsync"); return 1; }
  if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0) { perror("posix_fadvise"); return 1; }
  volatile char *m = mmap(NULL, pages * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) { perror("mmap"); return 1; }
  long sum = 0;
  for (long i = 0; i < pages; i++) sum += m[i * PS];
  int pm = open("/proc/self/pagemap", O_RDONLY), kf = open("/proc/kpageflags", O_RDONLY);
  if (pm < 0 || kf < 0) { perror("/proc/self/pagemap or /proc/kpageflags"); return 1; }
  uint64_t *ent = malloc((size_t)pages * 8);
  if (ent == NULL) { perror("malloc"); return 1; }
  for (int a = 3; a < argc; a++) {
    long p = number(argv[a], 0, pages - 1);
    m[p * PS + 123]++;
    long before = dirtyPages(pm, kf, m, pages, ent);
    if (msync((void *)(m + p * PS), PS, MS_SYNC) != 0) { perror("msync"); return 1; }
    long after = dirtyPages(pm, kf, m, pages, ent);
    if (before < 0 || after < 0) return 1;
    printf("%ld %ld\n", before, after);
  }
  return sum == -1 ? 3 : 0; /* (keeps the loads) */
}

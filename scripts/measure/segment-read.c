/*
 * syncsim's segment probe (scripts/validate/segment-probe.ts runs it from `syncsim calibrate`).
 * Usage: segment-read FILE PAGES SAMPLES
 *
 * Times O_DIRECT reads of PAGES 4 KiB pages from random PAGES-aligned
 * offsets of FILE (an existing file of at least four such reads),
 * alternately, each a preadv of PAGES iovecs of 4 KiB (the same system
 * call, the same pages to pin):
 *   pages  into PAGES separate pages (every other page of an anonymous
 *          mapping advised MADV_NOHUGEPAGE, so that no two are adjacent in
 *          memory and the block layer cannot merge them): one
 *          scatter-gather segment a page;
 *   huge   into PAGES pages laid end to end in one transparent huge page (a
 *          2 MiB-aligned range advised MADV_HUGEPAGE), which the block
 *          layer merges into one segment (as many as the queue's
 *          max_segment_size cuts it into).
 * PAGES must be at most 512 (one huge page) and should be at most the
 * queue's max_segments (one request either way). Prints first
 *   thp,KB
 * the AnonHugePages of the huge buffer's mapping (/proc/self/smaps; 0 when
 * it is not found); when it is under 2048 no huge page backs the buffer,
 * nothing is timed and the probe exits 0. Else SAMPLES lines of each kind,
 * interleaved:
 *   pages,NS   or   huge,NS
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PS 4096UL
#define HUGE (2UL << 20)

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* AnonHugePages (kB) of the mapping that holds `addr`, from /proc/self/smaps; -1 when not found. */
static long thp_kb(const void *addr) {
  FILE *f = fopen("/proc/self/smaps", "r");
  if (!f) return -1;
  char line[512];
  int inside = 0;
  long kb = -1;
  uintptr_t a = (uintptr_t)addr;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') && line[0] != ' ') {
      inside = a >= lo && a < hi;
      continue;
    }
    if (inside && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1) break;
  }
  fclose(f);
  return kb;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: segment-read FILE PAGES SAMPLES\n");
    return 2;
  }
  long pages = atol(argv[2]), samples = atol(argv[3]);
  if (pages < 2 || pages > (long)(HUGE / PS) || samples < 1) {
    fprintf(stderr, "segment-read: PAGES must be 2 .. 512 and SAMPLES at least 1\n");
    return 2;
  }
  int fd = open(argv[1], O_RDONLY | O_DIRECT);
  if (fd < 0) {
    perror(argv[1]);
    return 1;
  }
  struct stat st;
  size_t bytes = (size_t)pages * PS;
  if (fstat(fd, &st) != 0 || (size_t)st.st_size < 4 * bytes) {
    fprintf(stderr, "segment-read: %s is smaller than 4 reads\n", argv[1]);
    return 1;
  }
  /* the huge buffer: a 2 MiB-aligned range of a 4 MiB mapping, advised for a huge page and touched */
  char *map = mmap(NULL, 2 * HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  char *huge = (char *)(((uintptr_t)map + HUGE - 1) & ~(HUGE - 1));
  madvise(huge, HUGE, MADV_HUGEPAGE);
  memset(huge, 1, HUGE);
  long kb = thp_kb(huge);
  if (kb < 0) kb = 0;
  printf("thp,%ld\n", kb);
  if (kb < (long)(HUGE >> 10)) return 0;
  /* the pages: every other page of a mapping that may not use huge pages */
  char *small = mmap(NULL, 2 * bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (small == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  madvise(small, 2 * bytes, MADV_NOHUGEPAGE);
  memset(small, 1, 2 * bytes);
  struct iovec *iov = calloc((size_t)pages, sizeof *iov), *hiov = calloc((size_t)pages, sizeof *hiov);
  if (!iov || !hiov) {
    fprintf(stderr, "segment-read: out of memory\n");
    return 1;
  }
  for (long i = 0; i < pages; i++) {
    iov[i].iov_base = small + 2 * i * PS;
    iov[i].iov_len = PS;
    hiov[i].iov_base = huge + i * PS;
    hiov[i].iov_len = PS;
  }
  long slots = (long)((size_t)st.st_size / bytes);
  srand(12345);
  for (long s = 0; s < samples; s++) {
    for (int kind = 0; kind < 2; kind++) {
      off_t off = (off_t)(rand() % slots) * (off_t)bytes;
      int64_t t0 = now_ns();
      ssize_t n = preadv(fd, kind == 0 ? iov : hiov, (int)pages, off);
      int64_t t1 = now_ns();
      if (n < 0) {
        perror("preadv");
        return 1;
      }
      if (n != (ssize_t)bytes) {
        fprintf(stderr, "segment-read: a read of %zu bytes at %lld gave %zd\n", bytes, (long long)off, n);
        return 1;
      }
      printf("%s,%lld\n", kind == 0 ? "pages" : "huge", (long long)(t1 - t0));
    }
  }
  return 0;
}

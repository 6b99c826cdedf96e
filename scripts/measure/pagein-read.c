/*
 * syncsim's page-in probe (scripts/validate/pagein-probe.ts runs it from `syncsim calibrate`).
 * Usage: pagein-read FILE REPS [WINDOW]
 *
 * Times a cold sequential read of FILE through a shared read-only mapping,
 * REPS times: its dirty pages are written back (fdatasync) and its cached
 * pages dropped first (posix_fadvise POSIX_FADV_DONTNEED), then one byte of
 * every page is loaded, in order, with no madvise hint, so the kernel's own
 * read-ahead brings the pages in as it does for a program's page faults.
 * Nothing else runs per page, unlike fio's mmap engine, which copies 4 KiB
 * and accounts for each access. Prints one line a repetition:
 *   pagein,BYTES,NS,CACHED
 * BYTES the file's size (whole pages), NS the time of the loads, CACHED the
 * bytes of the pages that were still in the page cache when the loads began
 * (mincore, in whole pages of the system's size). With WINDOW (pages, less
 * than the file's), each line also gives the time the loads took to pass the
 * first WINDOW pages, the first read-ahead window (read-around at the first
 * fault, in 4 KiB folios):
 *   pagein,BYTES,NS,CACHED,WINDOW,WINDOW_NS
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

int main(int argc, char **argv) {
  if (argc != 3 && argc != 4) {
    fprintf(stderr, "usage: pagein-read FILE REPS [WINDOW]\n");
    return 2;
  }
  char *end;
  long reps = strtol(argv[2], &end, 10);
  if (*argv[2] == 0 || *end != 0 || reps < 1 || reps > 1000) {
    fprintf(stderr, "pagein-read: REPS must be an integer 1 .. 1000 (got '%s')\n", argv[2]);
    return 2;
  }
  const size_t PS = (size_t)sysconf(_SC_PAGESIZE);
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) die("open");
  struct stat st;
  if (fstat(fd, &st) != 0) die("fstat");
  size_t bytes = (size_t)st.st_size / PS * PS;
  if (bytes < 16 * PS) {
    fprintf(stderr, "pagein-read: %s has fewer than 16 pages\n", argv[1]);
    return 2;
  }
  size_t pages = bytes / PS;
  size_t window = 0;
  if (argc == 4) {
    long w = strtol(argv[3], &end, 10);
    if (*argv[3] == 0 || *end != 0 || w < 1 || (size_t)w >= pages) {
      fprintf(stderr, "pagein-read: WINDOW must be an integer 1 .. %zu, fewer than the file's pages (got '%s')\n", pages - 1, argv[3]);
      return 2;
    }
    window = (size_t)w;
  }
  unsigned char *vec = calloc(pages, 1);
  if (!vec) die("calloc");
  for (long r = 0; r < reps; r++) {
    if (fdatasync(fd) != 0) die("fdatasync"); /* DONTNEED drops clean pages only */
    int rc = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    if (rc != 0) {
      errno = rc; /* posix_fadvise returns the error, it does not set errno */
      die("posix_fadvise");
    }
    volatile unsigned char *m = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) die("mmap");
    if (mincore((void *)m, bytes, vec) != 0) die("mincore");
    size_t cached = 0;
    for (size_t i = 0; i < pages; i++) cached += vec[i] & 1;
    int64_t t0 = now_ns(), tw = 0;
    for (size_t i = 0; i < window; i++) (void)m[i * PS]; /* a volatile load: kept */
    if (window) tw = now_ns();
    for (size_t i = window; i < pages; i++) (void)m[i * PS];
    int64_t t1 = now_ns();
    if (munmap((void *)m, bytes) != 0) die("munmap");
    if (window) printf("pagein,%zu,%lld,%zu,%zu,%lld\n", bytes, (long long)(t1 - t0), cached * PS, window, (long long)(tw - t0));
    else printf("pagein,%zu,%lld,%zu\n", bytes, (long long)(t1 - t0), cached * PS);
  }
  free(vec);
  close(fd);
  return 0;
}

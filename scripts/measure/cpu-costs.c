/*
 * syncsim's CPU-cost probe of the running Linux kernel (scripts/measure/cpu-costs.ts runs it).
 * Usage: cpu-costs DIR REPS [writeback]
 *
 * Creates DIR/cpu-costs.dat (FILE_PAGES pages, written and fsynced, so every
 * page is in the page cache with its blocks allocated), then, REPS times,
 * interleaved, takes one sample of each measurement below and prints it as
 *   metric,n,wall_ns,cpu_ns
 * wall_ns from CLOCK_MONOTONIC, cpu_ns from CLOCK_THREAD_CPUTIME_ID (the CPU
 * time of this thread: it stops while the thread sleeps on I/O or is
 * preempted). The file is removed at the end.
 *
 *   msync_async  n=BATCH  BATCH calls of msync(page, 1 page, MS_ASYNC) on a
 *                         clean, resident, mapped page (returns without I/O)
 *   msync_async_range n=BATCH  the same over all FILE_PAGES pages (all clean)
 *   mlock_munlock n=BATCH BATCH pairs mlock(page) + munlock(page) of a
 *                         resident, mapped page
 *   fault  n pages        first stores (one byte per page) to n pages of a new
 *                         MAP_SHARED mapping of the file; the pages are in
 *                         the page cache and clean, so each is a minor fault
 *                         (a write fault on a shared mapping has no
 *                         fault-around: one fault per page)
 *   wire   n pages        mlock of n pages of a new MAP_SHARED mapping of the
 *                         file (cached, not yet mapped): populate + lock
 *   clean  n pages        msync(all FILE_PAGES pages, MS_SYNC) after storing to
 *                         the first n pages of a mapping whose pages were all
 *                         clean: writeback of n dirty pages plus fsync
 *   clean_busy n pages    the same while one other CPU runs a busy loop (a
 *                         child process that unmaps the file and spins,
 *                         started after each repetition's samples above and
 *                         killed before the next; none when this process may
 *                         run on one CPU only): under a hypervisor, every PTE
 *                         write-protected must be flushed from the vCPUs that
 *                         are running guest code, and idle ones cost nothing
 *   clean_scattered n     msync(all pages, MS_SYNC) after storing to n pages
 *                         none of which is next to another (odd indices,
 *                         chosen at random): each page is its own write, so
 *                         against `clean` (long runs, one write per many
 *                         pages) its slope adds the CPU cost of a write
 *   writeback n           pwrite of n such scattered pages, then
 *                         sync_file_range(WAIT_BEFORE | WRITE | WAIT_AFTER)
 *                         of the file: the writeback path an msync's data
 *                         part takes, without its FLUSH; wall minus CPU time
 *                         is the time the device (and the wake-up) took
 *   device_write, device_flush  one scattered page written by pwrite,
 *                         written back by sync_file_range (`device_write`),
 *                         then fdatasync (`device_flush`: the FLUSH), alone
 *                         (n 1), right before the busy loop starts
 *   device_write_busy, device_flush_busy  the same beside the busy loop,
 *                         this process and the loop pinned to two different
 *                         CPUs, each way round in turn (n 1: this process on
 *                         the first usable CPU, the loop on the second; n 2:
 *                         the other way): the device's interrupt goes to one
 *                         CPU, and a wake-up across CPUs costs more beside a
 *                         busy vCPU; DEVICE_SAMPLES of each a repetition (and
 *                         placement), none with one CPU
 * Untimed between samples: munmap, munlock, fdatasync (pages clean again).
 * With `writeback` as third argument only the writeback samples are taken
 * (SCATTER_SAMPLES of each size a repetition): `npm run validate`'s session
 * probes time the device's side of writeback with it between the jobs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FILE_PAGES 4096
#define BATCH 200

static const int SIZES[] = {256, 1024, 2048, 4096};
static const int CLEAN_SIZES[] = {64, 512, 2048, 4096};
#define NSIZES (int)(sizeof SIZES / sizeof SIZES[0])
/* Small counts, as an msync of scattered stores cleans: beside busy loops the
   per-page cost stays linear up to 1024 pages here, and the runs stay short. */
static const int BUSY_SIZES[] = {16, 64, 256};
#define NBUSY (int)(sizeof BUSY_SIZES / sizeof BUSY_SIZES[0])
/* Scattered writes, as an msync of random stores sends: up to a block plug's
   32 requests and past it. Each repetition takes SCATTER_SAMPLES of each. */
static const int SCATTER_SIZES[] = {1, 8, 32, 64};
#define NSCATTER (int)(sizeof SCATTER_SIZES / sizeof SCATTER_SIZES[0])
#define SCATTER_MAX 64
#define SCATTER_SAMPLES 5
/* Samples of the device's write and FLUSH alone, and beside the busy loop, a repetition. */
#define DEVICE_SAMPLES 5

static long ps;
static int fd;
static char path[4096];
static pid_t spinner; /* the busy loop's process, 0 when none runs */

static void stopSpinner(void) {
  if (spinner > 0) {
    kill(spinner, SIGKILL);
    waitpid(spinner, NULL, 0);
  }
  spinner = 0;
}

static void die(const char *what) {
  fprintf(stderr, "cpu-costs: %s: %s\n", what, strerror(errno));
  stopSpinner();
  if (path[0]) unlink(path);
  exit(1);
}

/* CPUs this process may run on (its affinity mask, so a cpuset or taskset limit counts). */
static int usableCpus(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return CPU_COUNT(&set);
}

/*
 * Starts one busy loop in a child process (which the scheduler puts on
 * another CPU): it drops its copy of the mapping `m` and the file, so that
 * cleaning a page walks no mapping of it, and dies with this process.
 */
static void startSpinner(char *m) {
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(0); /* the parent died before prctl */
    munmap(m, FILE_PAGES * ps);
    close(fd);
    for (volatile unsigned long x = 0;; x++) {
    }
  }
  spinner = pid;
  usleep(20000); /* the loop on its CPU */
}

static int64_t now(clockid_t c) {
  struct timespec t;
  if (clock_gettime(c, &t) != 0) die("clock_gettime");
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

struct stamp { int64_t wall, cpu; };

static struct stamp start(void) {
  struct stamp s = {now(CLOCK_MONOTONIC), now(CLOCK_THREAD_CPUTIME_ID)};
  return s;
}

static void emit(const char *metric, int n, struct stamp s) {
  int64_t cpu = now(CLOCK_THREAD_CPUTIME_ID), wall = now(CLOCK_MONOTONIC);
  printf("%s,%d,%lld,%lld\n", metric, n, (long long)(wall - s.wall), (long long)(cpu - s.cpu));
}

static char *mapFile(void) {
  char *p = mmap(NULL, FILE_PAGES * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) die("mmap");
  return p;
}

static void unmap(char *p) {
  if (munmap(p, FILE_PAGES * ps) != 0) die("munmap");
}

static void settle(void) {
  if (fdatasync(fd) != 0) die("fdatasync");
}

static void sampleSyscalls(char *m) {
  struct stamp s = start();
  for (int i = 0; i < BATCH; i++)
    if (msync(m, ps, MS_ASYNC) != 0) die("msync MS_ASYNC");
  emit("msync_async", BATCH, s);
  s = start();
  for (int i = 0; i < BATCH; i++)
    if (msync(m, FILE_PAGES * ps, MS_ASYNC) != 0) die("msync MS_ASYNC range");
  emit("msync_async_range", BATCH, s);
  s = start();
  for (int i = 0; i < BATCH; i++) {
    if (mlock(m, ps) != 0) die("mlock");
    if (munlock(m, ps) != 0) die("munlock");
  }
  emit("mlock_munlock", BATCH, s);
}

static void sampleFault(int n) {
  char *p = mapFile();
  struct stamp s = start();
  for (int i = 0; i < n; i++) p[(size_t)i * ps] = (char)i;
  emit("fault", n, s);
  unmap(p);
  settle();
}

static void sampleWire(int n) {
  char *p = mapFile();
  struct stamp s = start();
  if (mlock(p, (size_t)n * ps) != 0) die("mlock");
  emit("wire", n, s);
  if (munlock(p, (size_t)n * ps) != 0) die("munlock");
  unmap(p);
}

static void sampleClean(char *m, int n, const char *metric) {
  for (int i = 0; i < n; i++) m[(size_t)i * ps]++;
  struct stamp s = start();
  if (msync(m, FILE_PAGES * ps, MS_SYNC) != 0) die("msync MS_SYNC");
  emit(metric, n, s);
}

/* Fills `pick` with n distinct odd page indices at random (no two adjacent). */
static void scatter(int *pick, int n) {
  for (int i = 0; i < n; i++) {
    int p, dup;
    do {
      p = (int)(random() % (FILE_PAGES / 2)) * 2 + 1;
      dup = 0;
      for (int j = 0; j < i; j++) dup |= pick[j] == p;
    } while (dup);
    pick[i] = p;
  }
}

static void sampleCleanScattered(char *m, int n) {
  int pick[SCATTER_MAX];
  scatter(pick, n);
  for (int i = 0; i < n; i++) m[(size_t)pick[i] * ps]++;
  struct stamp s = start();
  if (msync(m, FILE_PAGES * ps, MS_SYNC) != 0) die("msync MS_SYNC");
  emit("clean_scattered", n, s);
}

static void sampleWriteback(const char *buf, int n) {
  int pick[SCATTER_MAX];
  scatter(pick, n);
  for (int i = 0; i < n; i++)
    if (pwrite(fd, buf, ps, (off_t)pick[i] * ps) != ps) die("pwrite");
  struct stamp s = start();
  if (sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) != 0) die("sync_file_range");
  emit("writeback", n, s);
}

/* One scattered page written back, then its FLUSH: `write_metric` times the writeback, `flush_metric` the fdatasync (both with `n`). */
static void sampleDevice(const char *buf, const char *write_metric, const char *flush_metric, int n) {
  int pick[1];
  scatter(pick, 1);
  if (pwrite(fd, buf, ps, (off_t)pick[0] * ps) != ps) die("pwrite");
  struct stamp s = start();
  if (sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) != 0) die("sync_file_range");
  emit(write_metric, n, s);
  s = start();
  if (fdatasync(fd) != 0) die("fdatasync");
  emit(flush_metric, n, s);
}

/* Pins process `pid` (0: this one) to CPU `cpu`; 0, or -1 when the system refuses. */
static int pin(pid_t pid, int cpu) {
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  return sched_setaffinity(pid, sizeof one, &one);
}

/*
 * The device samples beside the running busy loop: this process and the loop
 * on the first two usable CPUs of `mask`, each way round. A placement the
 * system refuses (a cpuset, say) is left out, and the other samples kept.
 */
static void sampleDeviceBusy(const char *buf, const cpu_set_t *mask) {
  int cpus[2], k = 0;
  for (int c = 0; c < CPU_SETSIZE && k < 2; c++)
    if (CPU_ISSET(c, mask)) cpus[k++] = c;
  if (k < 2) return;
  for (int way = 0; way < 2; way++) {
    if (pin(0, cpus[way]) != 0 || pin(spinner, cpus[1 - way]) != 0) continue;
    usleep(2000); /* both on their CPUs */
    for (int i = 0; i < DEVICE_SAMPLES; i++) sampleDevice(buf, "device_write_busy", "device_flush_busy", way + 1);
  }
  if (sched_setaffinity(0, sizeof *mask, mask) != 0) die("sched_setaffinity");
}

int main(int argc, char **argv) {
  if (argc != 3 && !(argc == 4 && strcmp(argv[3], "writeback") == 0)) {
    fprintf(stderr, "usage: cpu-costs DIR REPS [writeback]\n");
    return 2;
  }
  int only_writeback = argc == 4;
  int reps = atoi(argv[2]);
  ps = sysconf(_SC_PAGESIZE);
  snprintf(path, sizeof path, "%s/cpu-costs.dat", argv[1]);
  fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    path[0] = 0;
    die("open");
  }
  char *buf = malloc(ps);
  if (!buf) die("malloc");
  memset(buf, 0x5a, ps);
  for (int i = 0; i < FILE_PAGES; i++)
    if (write(fd, buf, ps) != ps) die("write");
  if (fsync(fd) != 0) die("fsync");
  printf("page_size,%ld,0,0\n", ps);

  char *m = mapFile(); /* the mapping the syscall and clean samples use */
  for (int i = 0; i < FILE_PAGES; i++) (void)*(volatile char *)&m[(size_t)i * ps];
  m[0]++; /* the first page mapped writable */
  if (msync(m, FILE_PAGES * ps, MS_SYNC) != 0) die("msync");
  int busy = usableCpus() > 1;
  cpu_set_t mask; /* this process's own CPUs, put back after the pinned samples */
  int pinned = busy && sched_getaffinity(0, sizeof mask, &mask) == 0;
  srandom(1);
  for (int r = 0; r < reps && only_writeback; r++) {
    for (int k = 0; k < SCATTER_SAMPLES; k++)
      for (int i = 0; i < NSCATTER; i++) sampleWriteback(buf, SCATTER_SIZES[(i + r) % NSCATTER]);
    settle();
  }
  for (int r = 0; r < reps && !only_writeback; r++) {
    sampleSyscalls(m);
    for (int i = 0; i < NSIZES; i++) sampleFault(SIZES[(i + r) % NSIZES]);
    for (int i = 0; i < NSIZES; i++) sampleWire(SIZES[(i + r) % NSIZES]);
    for (int i = 0; i < NSIZES; i++) sampleClean(m, CLEAN_SIZES[(i + r) % NSIZES], "clean");
    for (int k = 0; k < SCATTER_SAMPLES; k++)
      for (int i = 0; i < NSCATTER; i++) {
        sampleCleanScattered(m, SCATTER_SIZES[(i + r) % NSCATTER]);
        sampleWriteback(buf, SCATTER_SIZES[(i + r) % NSCATTER]);
      }
    settle();
    if (busy) {
      /* alone as every other step measures (unpinned): the model's latencies are those */
      for (int k = 0; k < DEVICE_SAMPLES; k++) sampleDevice(buf, "device_write", "device_flush", 1);
      startSpinner(m);
      for (int i = 0; i < NBUSY; i++) sampleClean(m, BUSY_SIZES[(i + r) % NBUSY], "clean_busy");
      if (pinned) sampleDeviceBusy(buf, &mask);
      stopSpinner();
    }
    fflush(stdout);
  }
  unmap(m);
  close(fd);
  unlink(path);
  return 0;
}

/*
 * syncsim record's LD_PRELOAD shim: logs the calls that shape a process's
 * address space (mmap, munmap, mremap, msync, madvise and posix_madvise,
 * mlock, munlock, mlockall, munlockall; fork through pthread_atfork; a new program image at load) in
 * strace's `-f -ttt -T -y` line format, so that syncsim's strace importer
 * translates them. Before each msync it reads which pages of the range are
 * dirty (/proc/self/pagemap gives each page's frame, bit 4 of /proc/kpageflags,
 * KPF_DIRTY, says whether the frame is dirty; root only) and logs one
 * `syncsim_dirty(ADDR, LEN)` line per run of dirty pages.
 *
 * Each process writes its own log, DIR/PID.log (DIR from SYNCSIM_RECORD_DIR),
 * opened before main; every line is one write(2) of a buffer on the stack.
 * The calls themselves go straight to the kernel (syscall(2)), so the shim
 * never calls back into the functions it wraps. Threads log under their
 * process's pid: they share its address space. Statically linked programs
 * and direct system calls are not seen.
 *
 * Environment: SYNCSIM_RECORD_DIR (required to log), SYNCSIM_RECORD_DIRTY=0
 * (do not read dirty pages: kpageflags is not readable).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;
static int pagemap_fd = -1;
static int kpageflags_fd = -1;
static int want_dirty = 1;
static long page_size = 4096;
static char log_dir[3072];

/* A line being built on the caller's stack. */
struct line {
  char buf[8192];
  size_t n;
};

static void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct line *l, const char *fmt, ...) {
  if (l->n >= sizeof l->buf) return;
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(l->buf + l->n, sizeof l->buf - l->n, fmt, ap);
  va_end(ap);
  if (k > 0) l->n += (size_t)k < sizeof l->buf - l->n ? (size_t)k : sizeof l->buf - l->n - 1;
}

static void stamp(struct line *l, pid_t pid, const struct timespec *t) {
  l->n = 0;
  put(l, "%d %ld.%09ld ", (int)pid, (long)t->tv_sec, t->tv_nsec);
}

/*
 * A log line that could not be written whole (a full disk, a quota, a file
 * size limit) or a log that could not be opened (no descriptor left): the
 * recording is incomplete. Said to syncsim record by renaming DIR/complete,
 * which it made before the program started, to DIR/lost-ERRNAME naming the
 * error (a rename needs no descriptor, and no space but in a full directory
 * block); failing that (another process renamed it first), by removing it
 * and making an empty DIR/lost-ERRNAME, when it can. Once per process image.
 */
static int lost_said = 0;
static void lost(int err) {
  if (lost_said || !log_dir[0]) return;
  lost_said = 1;
  int saved = errno;
  char from[3200], path[3200];
  snprintf(from, sizeof from, "%s/complete", log_dir);
  const char *name = strerrorname_np(err);
  snprintf(path, sizeof path, "%s/lost-%s", log_dir, name ? name : "EUNKNOWN");
  if (rename(from, path) != 0) {
    syscall(SYS_unlinkat, AT_FDCWD, from, 0);
    int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) close(fd);
  }
  errno = saved;
}

static void open_log(void);

static void emit(struct line *l) {
  if (log_fd < 0) return;
  if (l->n >= sizeof l->buf - 1) l->n = sizeof l->buf - 2;
  l->buf[l->n++] = '\n';
  int saved = errno;
  size_t done = 0;
  int reopened = 0;
  while (done < l->n) {
    ssize_t w = write(log_fd, l->buf + done, l->n - done);
    /* the program closed every descriptor (a daemon does): the log is opened again, once */
    if (w < 0 && errno == EBADF && !reopened) {
      reopened = 1;
      open_log();
      if (log_fd < 0) break;
      continue;
    }
    /* a short write goes on until the system says why */
    if (w <= 0) {
      lost(w < 0 ? errno : ENOSPC);
      break;
    }
    done += (size_t)w;
  }
  errno = saved;
}

/* ` = RESULT <DURATION>` for a call that returned `ret` (the errno when it is -1). */
static void result(struct line *l, long ret, int err, int hex, const struct timespec *t0, const struct timespec *t1) {
  long s = t1->tv_sec - t0->tv_sec, ns = t1->tv_nsec - t0->tv_nsec;
  if (ns < 0) { s--; ns += 1000000000L; }
  if (ret == -1) {
    const char *name = strerrorname_np(err);
    put(l, ") = -1 %s (%d) <%ld.%09ld>", name ? name : "EUNKNOWN", err, s, ns);
  } else if (hex) put(l, ") = %#lx <%ld.%09ld>", (unsigned long)ret, s, ns);
  else put(l, ") = %ld <%ld.%09ld>", ret, s, ns);
}

struct bit { unsigned long value; const char *name; };
static const struct bit PROT_NAMES[] = { {PROT_READ, "PROT_READ"}, {PROT_WRITE, "PROT_WRITE"}, {PROT_EXEC, "PROT_EXEC"}, {0, 0} };
static const struct bit MAP_NAMES[] = {
  {MAP_FIXED, "MAP_FIXED"}, {MAP_ANONYMOUS, "MAP_ANONYMOUS"}, {MAP_LOCKED, "MAP_LOCKED"},
  {MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE"}, {0, 0} };
static const struct bit MS_NAMES[] = { {MS_ASYNC, "MS_ASYNC"}, {MS_INVALIDATE, "MS_INVALIDATE"}, {MS_SYNC, "MS_SYNC"}, {0, 0} };
static const struct bit MCL_NAMES[] = { {MCL_CURRENT, "MCL_CURRENT"}, {MCL_FUTURE, "MCL_FUTURE"}, {MCL_ONFAULT, "MCL_ONFAULT"}, {0, 0} };

/* Flag names joined by |, the bits no name covers as a hex number ("0" when none). */
static void bits(struct line *l, unsigned long v, const struct bit *names, const char *none) {
  int first = 1;
  if (none) {
    put(l, "%s", none);
    first = 0;
  }
  for (const struct bit *b = names; b->name; b++) {
    if (v & b->value) {
      put(l, "%s%s", first ? "" : "|", b->name);
      first = 0;
      v &= ~b->value;
    }
  }
  if (v) put(l, "%s%#lx", first ? "" : "|", v);
  else if (first) put(l, "0");
}

static void open_log(void) {
  char path[3200];
  snprintf(path, sizeof path, "%s/%d.log", log_dir, (int)getpid());
  int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  /* out of the way of the program's own descriptor numbers */
  int high = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 900) : -1;
  if (high >= 0) {
    close(fd);
    fd = high;
  }
  log_fd = fd;
  if (fd < 0) lost(errno);
  /* /proc/self/pagemap is the opener's: a forked child opens its own */
  if (pagemap_fd >= 0) close(pagemap_fd);
  pagemap_fd = -1;
}

static void now(struct timespec *t) { clock_gettime(CLOCK_REALTIME, t); }
static void mono(struct timespec *t) { clock_gettime(CLOCK_MONOTONIC, t); }

/* A call's duration, measured on the monotonic clock, added to its realtime entry stamp. */
#define CALL_START struct timespec t_entry, m0, m1; int saved; now(&t_entry); mono(&m0)
#define CALL_END mono(&m1); saved = errno

static void after_fork_child(void) {
  struct timespec t;
  now(&t);
  pid_t parent = getppid();
  open_log();
  struct line l;
  stamp(&l, parent, &t);
  put(&l, "fork() = %d <0.000000000>", (int)getpid());
  emit(&l);
}

__attribute__((constructor)) static void shim_init(void) {
  const char *dir = getenv("SYNCSIM_RECORD_DIR");
  if (!dir || strlen(dir) >= sizeof log_dir) return;
  strcpy(log_dir, dir);
  const char *d = getenv("SYNCSIM_RECORD_DIRTY");
  want_dirty = !(d && strcmp(d, "0") == 0);
  page_size = sysconf(_SC_PAGESIZE);
  open_log();
  pthread_atfork(NULL, NULL, after_fork_child);
  /* a new program image: whatever this pid mapped before is gone */
  struct timespec t;
  now(&t);
  struct line l;
  stamp(&l, getpid(), &t);
  put(&l, "execve(\"?\", [], []) = 0 <0.000000000>");
  emit(&l);
}

/*
 * The fd of a mapping as strace -y shows it: `3</path/of/file>`, the path
 * escaped as strace escapes it (util.c, string_quote): a backslash, a quote,
 * `<` and `>` and every byte outside printable ASCII as `\\`, `\\"` or octal
 * (`\\377`), so that a name with any bytes stays one argument and stays itself.
 */
static void fd_arg(struct line *l, int fd) {
  if (fd < 0) {
    put(l, "%d", fd);
    return;
  }
  char link[64], target[1024];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  long n = syscall(SYS_readlinkat, AT_FDCWD, link, target, sizeof target);
  /* no path, or one that may have been cut (two long names would read alike): the bare fd, which the importer names on its own */
  if (n <= 0 || n >= (long)sizeof target) {
    put(l, "%d", fd);
    return;
  }
  /* at most 4 bytes a byte of the path (`\\377`) */
  char shown[4 * sizeof target + 1];
  size_t k = 0;
  for (long i = 0; i < n; i++) {
    unsigned char c = (unsigned char)target[i];
    if (c == '\\' || c == '"') {
      shown[k++] = '\\';
      shown[k++] = (char)c;
    } else if (c < 0x20 || c >= 0x7f || c == '<' || c == '>') k += (size_t)snprintf(shown + k, sizeof shown - k, "\\%o", c);
    else shown[k++] = (char)c;
  }
  shown[k] = 0;
  put(l, "%d<%s>", fd, shown);
}

static void *do_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
  CALL_START;
  long r = syscall(SYS_mmap, addr, len, prot, flags, fd, off);
  CALL_END;
  if (log_fd >= 0) {
    struct line l;
    stamp(&l, getpid(), &t_entry);
    put(&l, "mmap(%#lx, %zu, ", (unsigned long)addr, len);
    bits(&l, (unsigned long)prot, PROT_NAMES, prot == 0 ? "PROT_NONE" : NULL);
    put(&l, ", ");
    int type = flags & MAP_TYPE;
    unsigned long rest = (unsigned long)flags & ~(unsigned long)MAP_TYPE;
    bits(&l, rest, MAP_NAMES, type == MAP_SHARED ? "MAP_SHARED" : type == MAP_PRIVATE ? "MAP_PRIVATE" : type == MAP_SHARED_VALIDATE ? "MAP_SHARED_VALIDATE" : NULL);
    put(&l, ", ");
    fd_arg(&l, fd);
    put(&l, ", %#llx", (unsigned long long)off);
    result(&l, r, saved, 1, &m0, &m1);
    emit(&l);
  }
  errno = saved;
  return (void *)r;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) { return do_mmap(addr, len, prot, flags, fd, off); }
void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off) { return do_mmap(addr, len, prot, flags, fd, off); }

int munmap(void *addr, size_t len) {
  CALL_START;
  long r = syscall(SYS_munmap, addr, len);
  CALL_END;
  if (log_fd >= 0) {
    struct line l;
    stamp(&l, getpid(), &t_entry);
    put(&l, "munmap(%#lx, %zu", (unsigned long)addr, len);
    result(&l, r, saved, 0, &m0, &m1);
    emit(&l);
  }
  errno = saved;
  return (int)r;
}

void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...) {
  void *new_addr = NULL;
  if (flags & MREMAP_FIXED) {
    va_list ap;
    va_start(ap, flags);
    new_addr = va_arg(ap, void *);
    va_end(ap);
  }
  CALL_START;
  long r = syscall(SYS_mremap, old, old_len, new_len, flags, new_addr);
  CALL_END;
  if (log_fd >= 0) {
    struct line l;
    stamp(&l, getpid(), &t_entry);
    put(&l, "mremap(%#lx, %zu, %zu, %#x", (unsigned long)old, old_len, new_len, flags);
    if (flags & MREMAP_FIXED) put(&l, ", %#lx", (unsigned long)new_addr);
    result(&l, r, saved, 1, &m0, &m1);
    emit(&l);
  }
  errno = saved;
  return (void *)r;
}

static int open_proc(int *fd, const char *path) {
  if (*fd < 0) *fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
  return *fd;
}

/* One `syncsim_dirty(ADDR, LEN)` line per run of dirty pages of [start, end). */
static void log_dirty(uintptr_t start, uintptr_t end, const struct timespec *t) {
  if (!want_dirty || open_proc(&pagemap_fd, "/proc/self/pagemap") < 0 || open_proc(&kpageflags_fd, "/proc/kpageflags") < 0) return;
  uint64_t entries[512];
  uintptr_t run = 0, run_end = 0;
  struct line l;
  for (uintptr_t a = start; a < end;) {
    size_t want = (end - a) / (uintptr_t)page_size;
    if (want > 512) want = 512;
    off_t at = (off_t)(a / (uintptr_t)page_size) * 8;
    ssize_t got = pread(pagemap_fd, entries, want * 8, at);
    if (got <= 0) break;
    size_t n = (size_t)got / 8;
    /* the kpageflags of a run of pages whose frames follow one another (a large folio, or memory
       allocated in order) are read in one pread: one system call a run instead of one a page */
    uint64_t kflags[512];
    size_t kfrom = 0, kto = 0; /* kflags[k] holds the flags of the page entries[kfrom + k], for kfrom <= i < kto */
    for (size_t i = 0; i < n; i++, a += (uintptr_t)page_size) {
      uint64_t e = entries[i];
      int dirty = 0;
      if (e >> 63 & 1) {
        uint64_t pfn = e & ((1ULL << 55) - 1);
        if (pfn != 0 && i >= kto) {
          size_t j = i + 1;
          while (j < n && (entries[j] >> 63 & 1) && (entries[j] & ((1ULL << 55) - 1)) == pfn + (j - i)) j++;
          ssize_t k = pread(kpageflags_fd, kflags, (j - i) * 8, (off_t)(pfn * 8));
          kfrom = i;
          kto = k > 0 ? i + (size_t)k / 8 : i;
        }
        if (pfn != 0 && i < kto) dirty = (kflags[i - kfrom] >> 4) & 1;
      }
      if (dirty && run_end == a) run_end = a + (uintptr_t)page_size;
      else if (dirty) {
        if (run_end > run) {
          stamp(&l, getpid(), t);
          put(&l, "syncsim_dirty(%#lx, %lu) = 0 <0.000000000>", (unsigned long)run, (unsigned long)(run_end - run));
          emit(&l);
        }
        run = a;
        run_end = a + (uintptr_t)page_size;
      }
    }
  }
  if (run_end > run) {
    stamp(&l, getpid(), t);
    put(&l, "syncsim_dirty(%#lx, %lu) = 0 <0.000000000>", (unsigned long)run, (unsigned long)(run_end - run));
    emit(&l);
  }
}

int msync(void *addr, size_t len, int flags) {
  struct timespec t_dirty;
  now(&t_dirty);
  if (log_fd >= 0) {
    uintptr_t start = (uintptr_t)addr & ~(uintptr_t)(page_size - 1);
    uintptr_t end = ((uintptr_t)addr + len + (uintptr_t)page_size - 1) & ~(uintptr_t)(page_size - 1);
    if (end > start) log_dirty(start, end, &t_dirty);
  }
  CALL_START;
  long r = syscall(SYS_msync, addr, len, flags);
  CALL_END;
  if (log_fd >= 0) {
    struct line l;
    stamp(&l, getpid(), &t_entry);
    put(&l, "msync(%#lx, %zu, ", (unsigned long)addr, len);
    bits(&l, (unsigned long)flags, MS_NAMES, NULL);
    result(&l, r, saved, 0, &m0, &m1);
    emit(&l);
  }
  errno = saved;
  return (int)r;
}

static int range_call(const char *name, long nr, const void *addr, size_t len) {
  CALL_START;
  long r = syscall(nr, addr, len);
  CALL_END;
  if (log_fd >= 0) {
    struct line l;
    stamp(&l, getpid(), &t_entry);
    put(&l, "%s(%#lx, %zu", name, (unsigned long)addr, len);
    result(&l, r, saved, 0, &m0, &m1);
    emit(&l);
  }
  errno = saved;
  return (int)r;
}

/*
 * madvise, and posix_madvise (glibc's calls the system call itself, and
 * skips POSIX_MADV_DONTNEED, whose Linux meaning is not POSIX's; it returns
 * the error number instead of setting errno). The advice is logged as its
 * number, which the importer reads as strace's name.
 */
static int advise_call(void *addr, size_t len, int advice, int posix) {
  if (posix && advice == POSIX_MADV_DONTNEED) return 0;
  CALL_START;
  long r = syscall(SYS_madvise, addr, len, advice);
  CALL_END;
  if (log_fd >= 0) {
    struct line l;
    stamp(&l, getpid(), &t_entry);
    put(&l, "madvise(%#lx, %zu, %d", (unsigned long)addr, len, advice);
    result(&l, r, saved, 0, &m0, &m1);
    emit(&l);
  }
  errno = saved;
  if (posix) return r < 0 ? saved : 0;
  return (int)r;
}

int madvise(void *addr, size_t len, int advice) { return advise_call(addr, len, advice, 0); }
int posix_madvise(void *addr, size_t len, int advice) { return advise_call(addr, len, advice, 1); }

int mlock(const void *addr, size_t len) { return range_call("mlock", SYS_mlock, addr, len); }
int munlock(const void *addr, size_t len) { return range_call("munlock", SYS_munlock, addr, len); }

int mlockall(int flags) {
  CALL_START;
  long r = syscall(SYS_mlockall, flags);
  CALL_END;
  if (log_fd >= 0) {
    struct line l;
    stamp(&l, getpid(), &t_entry);
    put(&l, "mlockall(");
    bits(&l, (unsigned long)flags, MCL_NAMES, NULL);
    result(&l, r, saved, 0, &m0, &m1);
    emit(&l);
  }
  errno = saved;
  return (int)r;
}

int munlockall(void) {
  CALL_START;
  long r = syscall(SYS_munlockall);
  CALL_END;
  if (log_fd >= 0) {
    struct line l;
    stamp(&l, getpid(), &t_entry);
    put(&l, "munlockall(");
    result(&l, r, saved, 0, &m0, &m1);
    emit(&l);
  }
  errno = saved;
  return (int)r;
}

/*
 * syncsim's differential probe of the running Linux kernel (run as root).
 * Usage: kernel-probe FILE FILE_PAGES REGION_PAGES < ops
 *
 * Reads every op line first, then reserves REGION_PAGES + 2 pages of address
 * space, gives them back, and runs the ops at region page p = base + (p+1)
 * pages (one guard page each side). Op lines:
 *   M page npages filepage   mmap(MAP_SHARED | MAP_FIXED_NOREPLACE) of FILE
 *   U page npages            munmap
 *   W page npages            store one byte to each page
 *   R page npages            load one byte of each page
 *   S byteoff bytelen flags  msync(base + byteoff, bytelen, flags)
 *   L page npages            mlock
 *   K page npages            munlock
 * Prints one line per op: OK or the errno name; for S also the region pages
 * it cleaned: dirty before and clean after (KPF_DIRTY, /proc/kpageflags bit
 * 4, of the PFN /proc/self/pagemap gives), among the present pages of its
 * page-rounded range. Both files are read unbuffered with pread.
 * Nothing is allocated after the region is reserved.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PS 4096UL
#define KPF_DIRTY 4

static char in[1 << 20];
static char out[1 << 20];
static size_t outLen;
static int pagemapFd, kpfFd;
static char *base;
static long regionPages;

static void emit(const char *s) {
  size_t n = strlen(s);
  if (outLen + n < sizeof out) {
    memcpy(out + outLen, s, n);
    outLen += n;
  }
}

static const char *errName(int e) {
  switch (e) {
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EIO: return "EIO";
    case EPERM: return "EPERM";
    case EAGAIN: return "EAGAIN";
    case EFAULT: return "EFAULT";
    default: return "EOTHER";
  }
}

static void result(long r) {
  emit(r == 0 ? "OK" : errName(errno));
}

/* 1 dirty, 0 clean, -1 not present (or unreadable). */
static int pageDirty(long page) {
  uint64_t pm, flags;
  uintptr_t va = (uintptr_t)(base + page * PS);
  if (pread(pagemapFd, &pm, 8, (off_t)(va / PS) * 8) != 8) return -1;
  if (!(pm >> 63 & 1)) return -1;
  uint64_t pfn = pm & ((1ULL << 55) - 1);
  if (pfn == 0) return -1;
  if (pread(kpfFd, &flags, 8, (off_t)pfn * 8) != 8) return -1;
  return (int)(flags >> KPF_DIRTY & 1);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: kernel-probe FILE FILE_PAGES REGION_PAGES < ops\n");
    return 2;
  }
  long filePages = atol(argv[2]);
  regionPages = atol(argv[3]);
  size_t inLen = 0;
  ssize_t r;
  while ((r = read(0, in + inLen, sizeof in - 1 - inLen)) > 0) inLen += (size_t)r;
  in[inLen] = 0;
  int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || ftruncate(fd, (off_t)(filePages * PS)) != 0) {
    perror("kernel-probe: file");
    return 2;
  }
  pagemapFd = open("/proc/self/pagemap", O_RDONLY);
  kpfFd = open("/proc/kpageflags", O_RDONLY);
  if (pagemapFd < 0 || kpfFd < 0) {
    perror("kernel-probe: /proc");
    return 2;
  }
  char *res = mmap(NULL, (regionPages + 2) * PS, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (res == MAP_FAILED) {
    perror("kernel-probe: reserve");
    return 2;
  }
  munmap(res, (regionPages + 2) * PS);
  base = res + PS;
  char *line = in;
  char buf[64];
  while (*line) {
    char *nl = strchr(line, '\n');
    if (nl) *nl = 0;
    char op = line[0];
    long a = 0, b = 0, c = 0;
    if (op) sscanf(line + 1, "%ld %ld %ld", &a, &b, &c);
    volatile char *p = (volatile char *)(base + a * PS);
    switch (op) {
      case 'M': {
        void *m = mmap((void *)p, b * PS, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, (off_t)(c * PS));
        if (m != MAP_FAILED && m != (void *)p) {
          munmap(m, b * PS);
          errno = EEXIST;
          m = MAP_FAILED;
        }
        emit(m == MAP_FAILED ? errName(errno) : "OK");
        break;
      }
      case 'U': result(munmap((void *)p, b * PS)); break;
      case 'W': for (long i = 0; i < b; i++) p[i * PS] = (char)(p[i * PS] + 1); emit("OK"); break;
      case 'R': for (long i = 0; i < b; i++) (void)p[i * PS]; emit("OK"); break;
      case 'L': result(mlock((void *)p, b * PS)); break;
      case 'K': result(munlock((void *)p, b * PS)); break;
      case 'S': {
        long first = a / (long)PS, last = (a + b + (long)PS - 1) / (long)PS;
        if (b == 0) last = first + 1;
        if (first < 0) first = 0;
        if (last > regionPages) last = regionPages;
        static int before[1 << 16];
        for (long i = first; i < last; i++) before[i - first] = pageDirty(i);
        result(msync(base + a, (size_t)b, (int)c));
        for (long i = first; i < last; i++) {
          if (before[i - first] == 1 && pageDirty(i) == 0) {
            snprintf(buf, sizeof buf, " %ld", i);
            emit(buf);
          }
        }
        break;
      }
      default: break;
    }
    if (op) emit("\n");
    if (!nl) break;
    line = nl + 1;
  }
  if (write(1, out, outLen) != (ssize_t)outLen) return 2;
  return 0;
}

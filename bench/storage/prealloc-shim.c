// What preallocated segment blocks would save a broker (issue #20, session 22): an LD_PRELOAD shim, not part of
// Gregor. Every *.log file opened for writing gets its first PREALLOC_BYTES (default 1 GiB) allocated with
// fallocate(FALLOC_FL_KEEP_SIZE): the file's size, and so everything Gregor reads of it, is unchanged; its later
// page-cache writes land in allocated (unwritten) extents, so ext4 skips its per-page delayed-allocation work.
// Node has no fallocate, so this measures the idea before any native code is written:
//   gcc -O2 -shared -fPIC -o /tmp/prealloc-shim.so bench/storage/prealloc-shim.c -ldl
//   BENCH_BROKER_ENV=LD_PRELOAD=/tmp/prealloc-shim.so,PREALLOC_BYTES=300000000 BENCH_BASELINE=.
//     BENCH_CLIENT=loadgen BENCH_DROP_TOPICS=1 BENCH_MB=1024 BENCH_ROUNDS=9 BENCH_ONLY=100b-p1
//     npx tsx bench/broker/produce-kcat.ts   (one command line)
// (docs/benchmarks.md, "Produce of small records, session 22"). Linux and glibc only.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
static void maybe(int fd, const char *path, int flags) {
  if (fd < 0 || !(flags & (O_WRONLY | O_RDWR))) return;
  size_t n = strlen(path);
  if (n < 4 || strcmp(path + n - 4, ".log") != 0) return;
  const char *env = getenv("PREALLOC_BYTES");
  long long bytes = env ? atoll(env) : (1LL << 30);
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_blocks * 512LL >= bytes) return;
  fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, bytes);
}
int open(const char *path, int flags, ...) {
  static int (*real)(const char *, int, ...) = 0;
  if (!real) real = dlsym(RTLD_NEXT, "open");
  mode_t mode = 0;
  if (flags & O_CREAT) { va_list ap; va_start(ap, flags); mode = va_arg(ap, int); va_end(ap); }
  int fd = real(path, flags, mode);
  maybe(fd, path, flags);
  return fd;
}
int open64(const char *path, int flags, ...) {
  static int (*real)(const char *, int, ...) = 0;
  if (!real) real = dlsym(RTLD_NEXT, "open64");
  mode_t mode = 0;
  if (flags & O_CREAT) { va_list ap; va_start(ap, flags); mode = va_arg(ap, int); va_end(ap); }
  int fd = real(path, flags, mode);
  maybe(fd, path, flags);
  return fd;
}
int openat(int dirfd, const char *path, int flags, ...) {
  static int (*real)(int, const char *, int, ...) = 0;
  if (!real) real = dlsym(RTLD_NEXT, "openat");
  mode_t mode = 0;
  if (flags & O_CREAT) { va_list ap; va_start(ap, flags); mode = va_arg(ap, int); va_end(ap); }
  int fd = real(dirfd, path, flags, mode);
  maybe(fd, path, flags);
  return fd;
}

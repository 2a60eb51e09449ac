/*
 * faultfs: an LD_PRELOAD shim for the storage tests (never installed). While
 * the file named by $DFO_FAULT_CTL exists, write(2), pwrite(2), pwrite64,
 * fsync(2) and fdatasync(2) on a file whose path starts with $DFO_FAULT_PATH
 * (the database, its -wal and -journal; not its -shm, which SQLite maps)
 * fail. The control file's words choose: "write" (the writes), "fsync" (the
 * syncs), both when it has neither; "enospc" fails with ENOSPC instead of
 * EIO. Each failure is counted in $DFO_FAULT_CTL.count (for the test to see
 * that faults were injected).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define OP_WRITE	1
#define OP_SYNC		2

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef int (*sync_fn)(int);

static write_fn	next_write;
static pwrite_fn next_pwrite, next_pwrite64;
static sync_fn	next_fsync, next_fdatasync;

/* The control file's modes for op: 0 no fault, else the errno to fail with. */
static int
fault_errno(int op)
{
	const char *ctl = getenv("DFO_FAULT_CTL");
	char buf[128];
	int fd, want;
	ssize_t n;

	if (ctl == NULL || (fd = open(ctl, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	want = (strstr(buf, "write") ? OP_WRITE : 0) | (strstr(buf, "fsync") ? OP_SYNC : 0);
	if (want == 0)
		want = OP_WRITE | OP_SYNC;
	if (!(want & op))
		return 0;
	return strstr(buf, "enospc") ? ENOSPC : EIO;
}

/* Whether fd is one of the database's files. */
static int
fault_path(int fd)
{
	const char *want = getenv("DFO_FAULT_PATH");
	char link[64], path[PATH_MAX];
	ssize_t n;
	size_t wl;

	if (want == NULL || *want == '\0')
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) <= 0)
		return 0;
	path[n] = '\0';
	wl = strlen(want);
	if (strncmp(path, want, wl) != 0)
		return 0;
	return strcmp(path + wl, "-shm") != 0;
}

/* Count one injected fault in $DFO_FAULT_CTL.count (one byte each). */
static void
fault_count(void)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s.count", getenv("DFO_FAULT_CTL"));
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) == -1)
		return;
	if (next_write(fd, "x", 1) != 1)
		perror("faultfs: count");
	close(fd);
}

/* 0: go on; -1 with errno set: fail this call. */
static int
fault(int fd, int op)
{
	int err = fault_errno(op);

	if (err == 0 || !fault_path(fd))
		return 0;
	fault_count();
	errno = err;
	return -1;
}

/* The real calls, found once when the shim loads (before any thread). */
__attribute__((constructor)) static void
faultfs_init(void)
{
	next_write = (write_fn)dlsym(RTLD_NEXT, "write");
	next_pwrite = (pwrite_fn)dlsym(RTLD_NEXT, "pwrite");
	next_pwrite64 = (pwrite_fn)dlsym(RTLD_NEXT, "pwrite64");
	next_fsync = (sync_fn)dlsym(RTLD_NEXT, "fsync");
	next_fdatasync = (sync_fn)dlsym(RTLD_NEXT, "fdatasync");
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	return fault(fd, OP_WRITE) == -1 ? -1 : next_write(fd, buf, len);
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	return fault(fd, OP_WRITE) == -1 ? -1 : next_pwrite(fd, buf, len, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	return fault(fd, OP_WRITE) == -1 ? -1 : next_pwrite64(fd, buf, len, off);
}

int
fsync(int fd)
{
	return fault(fd, OP_SYNC) == -1 ? -1 : next_fsync(fd);
}

int
fdatasync(int fd)
{
	return fault(fd, OP_SYNC) == -1 ? -1 : next_fdatasync(fd);
}

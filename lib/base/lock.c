#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

static int lxcf_mkdir_parent(const char *path)
{
    _cleanup_free_ char *dir = lxcf_xstrdup(path);
    char *slash = strrchr(dir, '/');

    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

static long lxcf_lock_holder(int fd)
{
    char buf[32] = "";
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    uint64_t pid;

    /* The holder writes "PID\n"; anything else says nothing. */
    if (n <= 0 || lxcf_parse_u64(buf, LXCF_NUM_TRAILING | LXCF_NUM_DATA, 1, INT32_MAX, "pid", &pid,
                                 NULL) < 0)
        return 0;
    return (long)pid;
}

int lxcf_lock_take(const char *path, int timeout_ms, lxcf_err *err)
{
    _cleanup_close_ int fd = -1;
    struct timespec start, now;
    char pid[32];
    int n;

    if (lxcf_mkdir_parent(path) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot create the directory of %s", path);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot open the lock %s", path);
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        long ms;

        if (errno != EWOULDBLOCK && errno != EINTR)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot lock %s", path);
        clock_gettime(CLOCK_MONOTONIC, &now);
        ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (timeout_ms >= 0 && ms >= timeout_ms)
            return lxcf_error(err, LXCF_EXIT_BUSY, "another lxcf (pid %ld) is changing the host; try again later (lock %s)",
                              lxcf_lock_holder(fd), path);
        usleep(50 * 1000);
    }
    /* The pid is only for the message above; the flock is the lock. */
    n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == 0)
        (void)!pwrite(fd, pid, (size_t)n, 0);
    return lxcf_steal_fd(fd);
}

void lxcf_lock_release(int *fd)
{
    if (*fd >= 0) {
        flock(*fd, LOCK_UN);
        close(*fd);
        *fd = -1;
    }
}

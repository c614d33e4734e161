#include "cgroup_file.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

char **lxcf_cg_split(const char *s, const char *sep)
{
    _cleanup_free_ char *copy = lxcf_xstrdup(s);
    char **v = lxcf_xcalloc(1, sizeof(char *));
    char *save = NULL;

    for (char *t = strtok_r(copy, sep, &save); t; t = strtok_r(NULL, sep, &save))
        lxcf_strv_push(&v, lxcf_xstrdup(t));
    return v;
}

int lxcf_cg_read(const char *dir, const char *file, char **out, lxcf_err *err)
{
    _cleanup_free_ char *path = lxcf_path_join(dir, file);
    size_t len;

    if (lxcf_read_file(path, out, &len, err) < 0)
        return -1;
    while (len && isspace((unsigned char)(*out)[len - 1]))
        (*out)[--len] = '\0';
    return 0;
}

bool lxcf_cg_exists(const char *dir, const char *file)
{
    _cleanup_free_ char *path = lxcf_path_join(dir, file);
    return access(path, F_OK) == 0;
}

/* The tests' seam; see lxcf_cgroup_set_write_hook. */
static lxcf_cgroup_write_hook lxcf_cg_hook;
static void *lxcf_cg_hook_data;

void lxcf_cgroup_set_write_hook(lxcf_cgroup_write_hook fn, void *data)
{
    lxcf_cg_hook = fn;
    lxcf_cg_hook_data = data;
}

int lxcf_cg_write_path(const char *path, const char *value, bool create, lxcf_err *err)
{
    _cleanup_close_ int fd = -1;
    size_t len = strlen(value);
    ssize_t w;
    int e;

    if (lxcf_cg_hook && (e = lxcf_cg_hook(path, value, lxcf_cg_hook_data)) != 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, e, "cannot write '%s' to %s", value, path);
    fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), 0644);
    if (fd < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot open %s", path);
    w = write(fd, value, len);
    if (w < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot write '%s' to %s",
                                value, path);
    if ((size_t)w != len)
        return lxcf_error(err, LXCF_EXIT_FAIL, "short write of '%s' to %s", value, path);
    return 0;
}

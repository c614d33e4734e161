/* The cgroupfs file access of the cgroup modules: every cgroup file lxcf
 * reads or writes goes through here, and every write through
 * lxcf_cg_write_path, where the tests' hook sees it.  Callers outside the
 * cgroup modules use cgroup.h. */
#pragma once

#include <stdbool.h>

#include "err.h"

/* S cut at any character of SEP, empty fields dropped: a strv (never NULL). */
char **lxcf_cg_split(const char *s, const char *sep);

/* DIR/FILE, without its trailing white space (the kernel ends every value
 * with a newline).  Malloc'ed in *OUT. */
int lxcf_cg_read(const char *dir, const char *file, char **out, lxcf_err *err);
/* Does DIR/FILE exist?  Optional files say which features a group has. */
bool lxcf_cg_exists(const char *dir, const char *file);

/* Write VALUE to PATH in one write(2): cgroupfs takes one value per write.
 * CREATE is for cgroup.procs of a group we just made: kernfs ignores
 * O_CREAT on its existing files, and it lets the fake trees of the tests
 * behave like the kernel. */
int lxcf_cg_write_path(const char *path, const char *value, bool create, lxcf_err *err);

/* Test seam: a fake cgroupfs cannot enforce the kernel's rules (such as
 * v1's limit <= memsw limit), so tests install a hook that sees every
 * cgroup file write before it happens and may refuse it by returning an
 * errno value (0 lets it through).  NULL removes the hook. */
typedef int (*lxcf_cgroup_write_hook)(const char *path, const char *value, void *data);
void lxcf_cgroup_set_write_hook(lxcf_cgroup_write_hook fn, void *data);

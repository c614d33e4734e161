/* Removing a tree without following links or crossing mounts. */
#pragma once

#include "err.h"

/* Remove the tree at PATH with openat/unlinkat only.  Symlinks are removed,
 * never followed.  A directory (or file) below PATH that is another mount
 * (st_dev or mount id differs from PATH's) is left in place, everything else
 * removable is removed, and the call then fails naming it. A PATH that is a
 * symlink or a file is unlinked. */
int lxcf_fs_remove_tree(const char *path, lxcf_err *err);

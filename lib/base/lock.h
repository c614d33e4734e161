/* The one lock over shared host state: the roots directory, /etc/hosts,
 * the network's host entries and the set of domains. */
#pragma once

#include "err.h"

#define LXCF_LOCK_PATH "/run/lxcf/lxcf.lock"

/* Take the exclusive lock at PATH, waiting up to TIMEOUT_MS (-1: forever).
 * The kernel drops an flock with its holder, so a lock left by a killed
 * lxcf is simply free again: no stale-lock heuristics are needed.  Returns
 * the lock fd (>= 0); close it (or exit) to release. */
int lxcf_lock_take(const char *path, int timeout_ms, lxcf_err *err);
void lxcf_lock_release(int *fd);

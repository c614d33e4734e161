/* Value parsers for the resource subcommands (memory sizes, CPU and node
 * lists, percentages, I/O rates) and the host facts they are checked
 * against.  Pure functions: nothing here touches cgroups. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

/* A fixed-size bitmap of CPU or memory-node numbers.  4096 covers every
 * machine lxcf targets and keeps the type a plain value (no allocation). */
#define LXCF_BITMAP_BITS 4096u
typedef struct lxcf_bitmap {
    uint64_t w[LXCF_BITMAP_BITS / 64];
} lxcf_bitmap;

/* The rate value that means "no limit" (from "unlimited" or "max"). */
#define LXCF_RATE_UNLIMITED UINT64_MAX

void lxcf_bitmap_clear(lxcf_bitmap *b);
void lxcf_bitmap_set(lxcf_bitmap *b, unsigned bit);
bool lxcf_bitmap_test(const lxcf_bitmap *b, unsigned bit);
unsigned lxcf_bitmap_count(const lxcf_bitmap *b);
/* Highest bit set, or -1 when empty. */
int lxcf_bitmap_last(const lxcf_bitmap *b);
bool lxcf_bitmap_subset(const lxcf_bitmap *sub, const lxcf_bitmap *super);
/* Canonical list form ("0-1,3"); "" for an empty bitmap.  Malloc'ed. */
char *lxcf_bitmap_format(const lxcf_bitmap *b);

/* A memory size: digits with an optional fraction and a binary suffix
 * (K, M, G, T; any case; optionally followed by "B" or "iB"), e.g. "512M",
 * "1.5G", "1024" (bytes).  A fraction needs a suffix and is truncated to
 * whole bytes.  "unlimited", "max" and "-1" set *unlimited (and *bytes to
 * UINT64_MAX).  Zero, negative numbers, overflow, blanks and unknown suffixes
 * are rejected. */
int lxcf_parse_size(const char *s, uint64_t *bytes, bool *unlimited, lxcf_err *err);

/* A CPU or node list ("0-1,3"): every number must be < MAX (the count the
 * caller got from the host, e.g. lxcf_bitmap_last(online) + 1).  Reversed
 * ranges, empty items, signs, blanks and empty lists are rejected. */
int lxcf_parse_cpulist(const char *s, unsigned max, lxcf_bitmap *out, lxcf_err *err);

/* A percentage 1..100, optionally followed by '%'. */
int lxcf_parse_percent(const char *s, unsigned *pct, lxcf_err *err);

/* An I/O rate in bytes per second: a whole number with an optional binary
 * suffix (K, M, G, T, optionally "B"/"iB"), or "unlimited"/"max" giving
 * LXCF_RATE_UNLIMITED.  Zero is rejected (it would mean "no limit" to the
 * v1 kernel interface: say "unlimited" instead). */
int lxcf_parse_rate(const char *s, uint64_t *v, lxcf_err *err);

/* An I/O operations-per-second count: a plain whole number > 0, or
 * "unlimited"/"max" (LXCF_RATE_UNLIMITED).  No suffixes. */
int lxcf_parse_iops(const char *s, uint64_t *v, lxcf_err *err);

/* The host's online CPUs and memory nodes, read below the host ROOT prefix
 * (NULL or "/" for the real host) from sys/devices/system/{cpu,node}/online.
 * A kernel without NUMA has no node file: that reads as node 0. */
int lxcf_host_online_cpus(const char *root, lxcf_bitmap *out, lxcf_err *err);
int lxcf_host_online_nodes(const char *root, lxcf_bitmap *out, lxcf_err *err);

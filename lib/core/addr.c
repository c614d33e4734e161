#include "addr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

/* Parse one dotted-quad part at *p; advances *p. */
static int lxcf_ipv4_part(const char **p, unsigned *out)
{
    const char *s = *p;
    unsigned v = 0;
    size_t n = 0;

    while (s[n] >= '0' && s[n] <= '9') {
        if (n == 3)
            return -1;
        v = v * 10 + (unsigned)(s[n] - '0');
        n++;
    }
    if (n == 0 || v > 255 || (n > 1 && s[0] == '0'))
        return -1;
    *out = v;
    *p = s + n;
    return 0;
}

int lxcf_ipv4_parse(const char *s, uint32_t *out, lxcf_err *err)
{
    const char *p = s;
    uint32_t a = 0;

    if (!s)
        return lxcf_error(err, LXCF_EXIT_USAGE, "missing IPv4 address");
    for (int i = 0; i < 4; i++) {
        unsigned part;
        if (i > 0 && *p++ != '.')
            return lxcf_error(err, LXCF_EXIT_USAGE, "%s: not an IPv4 address", s);
        if (lxcf_ipv4_part(&p, &part) < 0)
            return lxcf_error(err, LXCF_EXIT_USAGE, "%s: not an IPv4 address", s);
        a = (a << 8) | part;
    }
    if (*p)
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: not an IPv4 address", s);
    *out = a;
    return 0;
}

void lxcf_ipv4_format(uint32_t a, char buf[LXCF_IPV4_STRLEN])
{
    snprintf(buf, LXCF_IPV4_STRLEN, "%u.%u.%u.%u",
             (a >> 24) & 0xff, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

uint32_t lxcf_ipv4_netmask(unsigned prefix)
{
    if (prefix == 0)
        return 0;
    if (prefix >= 32)
        return 0xffffffffu;
    return 0xffffffffu << (32 - prefix);
}

uint32_t lxcf_ipv4_net_network(const lxcf_ipv4_net *net)
{
    return net->addr & lxcf_ipv4_netmask(net->prefix);
}

uint32_t lxcf_ipv4_net_broadcast(const lxcf_ipv4_net *net)
{
    return net->addr | ~lxcf_ipv4_netmask(net->prefix);
}

bool lxcf_ipv4_net_contains(const lxcf_ipv4_net *net, uint32_t a)
{
    uint32_t mask = lxcf_ipv4_netmask(net->prefix);
    return (a & mask) == (net->addr & mask);
}

int lxcf_ipv4_net_parse(const char *s, lxcf_ipv4_net *out, lxcf_err *err)
{
    _cleanup_free_ char *host = NULL;
    const char *slash;
    unsigned long prefix;
    lxcf_ipv4_net net;

    if (!s || !(slash = strchr(s, '/')))
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "%s: not an address with a prefix (like 192.168.125.1/24)",
                          s ? s : "");
    host = lxcf_xstrndup(s, (size_t)(slash - s));
    /* The sub-errors would name only a part of S; report S as a whole. */
    if (lxcf_ipv4_parse(host, &net.addr, NULL) < 0 ||
        lxcf_parse_ulong(slash + 1, 1, 30, "prefix", &prefix, NULL) < 0)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "%s: not an address with a prefix 1..30 (like 192.168.125.1/24)", s);
    net.prefix = (unsigned)prefix;
    if (net.addr == lxcf_ipv4_net_network(&net) || net.addr == lxcf_ipv4_net_broadcast(&net))
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "%s: the gateway must not be the network or broadcast address", s);
    *out = net;
    return 0;
}

static int lxcf_pool_check_end(const lxcf_pool *pool, uint32_t a, const char *which,
                               lxcf_err *err)
{
    char as[LXCF_IPV4_STRLEN], gw[LXCF_IPV4_STRLEN];

    lxcf_ipv4_format(a, as);
    lxcf_ipv4_format(pool->net.addr, gw);
    if (!lxcf_ipv4_net_contains(&pool->net, a))
        return lxcf_error(err, LXCF_EXIT_CONFIG, "address pool %s %s is outside the network %s/%u",
                          which, as, gw, pool->net.prefix);
    if (a == lxcf_ipv4_net_network(&pool->net))
        return lxcf_error(err, LXCF_EXIT_CONFIG, "address pool %s %s is the network address",
                          which, as);
    if (a == lxcf_ipv4_net_broadcast(&pool->net))
        return lxcf_error(err, LXCF_EXIT_CONFIG, "address pool %s %s is the broadcast address",
                          which, as);
    if (a == pool->net.addr)
        return lxcf_error(err, LXCF_EXIT_CONFIG, "address pool %s %s is the gateway address",
                          which, as);
    return 0;
}

int lxcf_pool_check(const lxcf_pool *pool, lxcf_err *err)
{
    char s[LXCF_IPV4_STRLEN], e[LXCF_IPV4_STRLEN];

    if (lxcf_pool_check_end(pool, pool->start, "start", err) < 0 ||
        lxcf_pool_check_end(pool, pool->end, "end", err) < 0)
        return -1;
    if (pool->start > pool->end) {
        lxcf_ipv4_format(pool->start, s);
        lxcf_ipv4_format(pool->end, e);
        return lxcf_error(err, LXCF_EXIT_CONFIG, "address pool %s-%s: start is after end", s, e);
    }
    return 0;
}

int lxcf_pool_parse(const char *cidr, const char *start, const char *end,
                    lxcf_pool *out, lxcf_err *err)
{
    lxcf_pool pool;

    if (lxcf_ipv4_net_parse(cidr, &pool.net, err) < 0 ||
        lxcf_ipv4_parse(start, &pool.start, err) < 0 ||
        lxcf_ipv4_parse(end, &pool.end, err) < 0 ||
        lxcf_pool_check(&pool, err) < 0)
        return -1;
    *out = pool;
    return 0;
}

static int lxcf_u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int lxcf_addr_pick(const lxcf_pool *pool, const uint32_t *used, size_t nused,
                   uint32_t *out, lxcf_err *err)
{
    _cleanup_free_ uint32_t *sorted = NULL;
    char s[LXCF_IPV4_STRLEN], e[LXCF_IPV4_STRLEN];
    size_t i = 0;
    uint64_t inuse;

    if (lxcf_pool_check(pool, err) < 0)
        return -1;
    sorted = lxcf_xmalloc((nused ? nused : 1) * sizeof(*sorted));
    if (nused)
        memcpy(sorted, used, nused * sizeof(*sorted));
    qsort(sorted, nused, sizeof(*sorted), lxcf_u32_cmp);
    /* One merge walk: at most nused + 2 steps before a free address shows up
     * (unless the pool is full), so a /8 pool costs nothing. uint64_t so
     * that end == 0xffffffff cannot wrap. */
    for (uint64_t a = pool->start; a <= pool->end; a++) {
        while (i < nused && sorted[i] < a)
            i++;
        if (a == pool->net.addr || (i < nused && sorted[i] == a))
            continue;
        *out = (uint32_t)a;
        return 0;
    }
    lxcf_ipv4_format(pool->start, s);
    lxcf_ipv4_format(pool->end, e);
    inuse = (uint64_t)pool->end - pool->start + 1;
    if (pool->net.addr >= pool->start && pool->net.addr <= pool->end)
        inuse--;
    return lxcf_error(err, LXCF_EXIT_FAIL, "address pool %s-%s is full (%llu addresses in use)",
                      s, e, (unsigned long long)inuse);
}

/* Append [LO, HI] less the gateway GW to OUT. */
static size_t lxcf_range_push_without(uint64_t lo, uint64_t hi, uint32_t gw, lxcf_ipv4_range *out,
                                      size_t n)
{
    if (lo > hi)
        return n;
    if (gw < lo || gw > hi) {
        out[n++] = (lxcf_ipv4_range){ (uint32_t)lo, (uint32_t)hi };
        return n;
    }
    if (gw > lo)
        out[n++] = (lxcf_ipv4_range){ (uint32_t)lo, gw - 1 };
    if (gw < hi)
        out[n++] = (lxcf_ipv4_range){ gw + 1, (uint32_t)hi };
    return n;
}

size_t lxcf_pool_outside(const lxcf_pool *pool, lxcf_ipv4_range out[LXCF_POOL_OUTSIDE_MAX])
{
    /* 64-bit bounds: start - 1 and end + 1 must not wrap. */
    uint64_t first = (uint64_t)lxcf_ipv4_net_network(&pool->net) + 1;
    uint64_t last = (uint64_t)lxcf_ipv4_net_broadcast(&pool->net) - 1;
    size_t n = 0;

    n = lxcf_range_push_without(first, (uint64_t)pool->start - 1, pool->net.addr, out, n);
    return lxcf_range_push_without((uint64_t)pool->end + 1, last, pool->net.addr, out, n);
}

bool lxcf_ipv4_range_overlap(const lxcf_ipv4_range *a, const lxcf_ipv4_range *b)
{
    return a->start <= b->end && b->start <= a->end;
}

static void lxcf_random_bytes(unsigned char *buf, size_t n)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = getrandom(buf + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got == n)
        return;
    /* Kernels without getrandom (ENOSYS): a MAC needs no cryptographic
     * quality, only a low chance of collision on one bridge. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned seed = (unsigned)ts.tv_nsec ^ (unsigned)ts.tv_sec ^ ((unsigned)getpid() << 16);
    for (; got < n; got++)
        buf[got] = (unsigned char)(rand_r(&seed) >> 7);
}

void lxcf_mac_random(char buf[LXCF_MAC_STRLEN])
{
    unsigned char r[3];

    lxcf_random_bytes(r, sizeof(r));
    snprintf(buf, LXCF_MAC_STRLEN, "52:54:00:%02x:%02x:%02x", r[0], r[1], r[2]);
}

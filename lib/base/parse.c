#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

void lxcf_bitmap_clear(lxcf_bitmap *b)
{
    memset(b, 0, sizeof(*b));
}

void lxcf_bitmap_set(lxcf_bitmap *b, unsigned bit)
{
    if (bit < LXCF_BITMAP_BITS)
        b->w[bit / 64] |= UINT64_C(1) << (bit % 64);
}

bool lxcf_bitmap_test(const lxcf_bitmap *b, unsigned bit)
{
    return bit < LXCF_BITMAP_BITS && (b->w[bit / 64] >> (bit % 64)) & 1;
}

unsigned lxcf_bitmap_count(const lxcf_bitmap *b)
{
    unsigned n = 0;
    for (size_t i = 0; i < LXCF_BITMAP_BITS / 64; i++)
        n += (unsigned)__builtin_popcountll(b->w[i]);
    return n;
}

int lxcf_bitmap_last(const lxcf_bitmap *b)
{
    for (size_t i = LXCF_BITMAP_BITS / 64; i-- > 0;)
        if (b->w[i])
            return (int)(i * 64 + 63 - (unsigned)__builtin_clzll(b->w[i]));
    return -1;
}

bool lxcf_bitmap_subset(const lxcf_bitmap *sub, const lxcf_bitmap *super)
{
    for (size_t i = 0; i < LXCF_BITMAP_BITS / 64; i++)
        if (sub->w[i] & ~super->w[i])
            return false;
    return true;
}

char *lxcf_bitmap_format(const lxcf_bitmap *b)
{
    /* Worst case "0,2,4,...": at most 5 characters per bit. */
    size_t cap = 8, len = 0;
    char *out = lxcf_xmalloc(cap);
    int last = lxcf_bitmap_last(b);

    out[0] = '\0';
    for (int i = 0; i <= last; i++) {
        if (!lxcf_bitmap_test(b, (unsigned)i))
            continue;
        int j = i;
        while (j + 1 <= last && lxcf_bitmap_test(b, (unsigned)j + 1))
            j++;
        char item[32];
        int n = j == i ? snprintf(item, sizeof(item), "%s%d", len ? "," : "", i)
                       : snprintf(item, sizeof(item), "%s%d-%d", len ? "," : "", i, j);
        if (len + (size_t)n + 1 > cap) {
            cap = (len + (size_t)n + 1) * 2;
            out = lxcf_xrealloc(out, cap);
        }
        memcpy(out + len, item, (size_t)n + 1);
        len += (size_t)n;
        i = j;
    }
    return out;
}

/* A binary unit suffix: "", K, M, G, T (any case), optionally followed by
 * "B" or "iB".  Returns the multiplier, 0 for an unknown suffix. */
static uint64_t lxcf_parse_unit(const char *s)
{
    static const char units[] = "kmgt";
    uint64_t mult = 1;
    const char *u;

    if (*s && (u = strchr(units, tolower((unsigned char)*s)))) {
        mult = UINT64_C(1) << (10 * (u - units + 1));
        s++;
        if (strcasecmp(s, "ib") == 0)
            return mult;
    }
    if (strcasecmp(s, "b") == 0 || *s == '\0')
        return mult;
    return 0;
}

static bool lxcf_is_unlimited(const char *s)
{
    return strcasecmp(s, "unlimited") == 0 || strcasecmp(s, "max") == 0;
}

int lxcf_parse_size(const char *s, uint64_t *bytes, bool *unlimited, lxcf_err *err)
{
    uint64_t whole, frac = 0, scale = 1, mult;
    const char *p;
    int nd;

    if (!s || !*s)
        return lxcf_error(err, LXCF_EXIT_USAGE, "empty size");
    if (lxcf_is_unlimited(s) || lxcf_streq(s, "-1")) {
        *bytes = UINT64_MAX;
        *unlimited = true;
        return 0;
    }
    nd = lxcf_scan_u64(s, &whole, &p);
    if (nd < 0)
        return lxcf_error(err, LXCF_EXIT_USAGE, "'%s': size too large", s);
    if (nd == 0)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "'%s': not a size (use a number with K, M, G or T)", s);
    if (*p == '.') {
        /* Keep six decimals: more precision than any memory limit needs,
         * and frac * mult then fits in 64 bits for every unit. */
        p++;
        if (!isdigit((unsigned char)*p))
            return lxcf_error(err, LXCF_EXIT_USAGE, "'%s': not a size", s);
        for (; isdigit((unsigned char)*p); p++) {
            if (scale < 1000000) {
                frac = frac * 10 + (uint64_t)(*p - '0');
                scale *= 10;
            }
        }
    }
    mult = lxcf_parse_unit(p);
    if (mult == 0)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "'%s': unknown size suffix '%s' (use K, M, G or T)", s, p);
    if (scale > 1 && mult == 1)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "'%s': a fraction needs a unit (K, M, G or T)", s);
    if (whole > UINT64_MAX / mult)
        return lxcf_error(err, LXCF_EXIT_USAGE, "'%s': size too large", s);
    whole *= mult;
    frac = frac * mult / scale;
    /* UINT64_MAX itself stands for "unlimited". */
    if (whole >= UINT64_MAX - frac)
        return lxcf_error(err, LXCF_EXIT_USAGE, "'%s': size too large", s);
    if (whole + frac == 0)
        return lxcf_error(err, LXCF_EXIT_USAGE, "'%s': size must be greater than zero", s);
    *bytes = whole + frac;
    *unlimited = false;
    return 0;
}

/* The list grammar shared by user input and sysfs files; MAX bounds the
 * numbers. */
static int lxcf_parse_list(const char *s, unsigned max, lxcf_bitmap *out, lxcf_err *err)
{
    lxcf_bitmap b;
    const char *p = s;

    if (!s || !*s)
        return lxcf_error(err, LXCF_EXIT_USAGE, "empty cpu/node list");
    lxcf_bitmap_clear(&b);
    for (;;) {
        uint64_t lo, hi;
        const char *q;

        if (lxcf_scan_u64(p, &lo, &q) <= 0)
            return lxcf_error(err, LXCF_EXIT_USAGE,
                              "'%s': not a list of numbers like 0-1,3", s);
        hi = lo;
        p = q;
        if (*p == '-') {
            if (lxcf_scan_u64(p + 1, &hi, &q) <= 0)
                return lxcf_error(err, LXCF_EXIT_USAGE, "'%s': incomplete range", s);
            p = q;
            if (hi < lo)
                return lxcf_error(err, LXCF_EXIT_USAGE,
                                  "'%s': reversed range %" PRIu64 "-%" PRIu64, s, lo, hi);
        }
        if (hi >= max)
            return lxcf_error(err, LXCF_EXIT_USAGE,
                              "'%s': %" PRIu64 " is out of range (0-%u)", s, hi, max - 1);
        for (uint64_t i = lo; i <= hi; i++)
            lxcf_bitmap_set(&b, (unsigned)i);
        if (*p == '\0')
            break;
        if (*p != ',')
            return lxcf_error(err, LXCF_EXIT_USAGE,
                              "'%s': unexpected '%c' in list", s, *p);
        p++;
    }
    *out = b;
    return 0;
}

int lxcf_parse_cpulist(const char *s, unsigned max, lxcf_bitmap *out, lxcf_err *err)
{
    if (max == 0 || max > LXCF_BITMAP_BITS)
        max = LXCF_BITMAP_BITS;
    return lxcf_parse_list(s, max, out, err);
}

int lxcf_parse_percent(const char *s, unsigned *pct, lxcf_err *err)
{
    uint64_t v;
    const char *p;

    if (!s || !*s)
        return lxcf_error(err, LXCF_EXIT_USAGE, "empty percentage");
    if (lxcf_scan_u64(s, &v, &p) <= 0 || (*p && !lxcf_streq(p, "%")))
        return lxcf_error(err, LXCF_EXIT_USAGE, "'%s': not a percentage", s);
    if (v < 1 || v > 100)
        return lxcf_error(err, LXCF_EXIT_USAGE, "'%s': percentage must be 1..100", s);
    *pct = (unsigned)v;
    return 0;
}

static int lxcf_parse_count(const char *s, bool units, const char *what,
                            uint64_t *v, lxcf_err *err)
{
    uint64_t n, mult = 1;
    const char *p;
    int nd;

    if (!s || !*s)
        return lxcf_error(err, LXCF_EXIT_USAGE, "empty %s", what);
    if (lxcf_is_unlimited(s)) {
        *v = LXCF_RATE_UNLIMITED;
        return 0;
    }
    nd = lxcf_scan_u64(s, &n, &p);
    if (nd < 0)
        return lxcf_error(err, LXCF_EXIT_USAGE, "'%s': %s too large", s, what);
    if (nd == 0)
        return lxcf_error(err, LXCF_EXIT_USAGE, "'%s': not a valid %s", s, what);
    if (*p) {
        mult = units ? lxcf_parse_unit(p) : 0;
        if (mult == 0)
            return lxcf_error(err, LXCF_EXIT_USAGE, "'%s': unknown suffix '%s' in %s",
                              s, p, what);
    }
    if (n > (UINT64_MAX - 1) / mult)
        return lxcf_error(err, LXCF_EXIT_USAGE, "'%s': %s too large", s, what);
    if (n == 0)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "'%s': %s must be greater than zero (say 'unlimited' for no limit)",
                          s, what);
    *v = n * mult;
    return 0;
}

int lxcf_parse_rate(const char *s, uint64_t *v, lxcf_err *err)
{
    return lxcf_parse_count(s, true, "rate", v, err);
}

int lxcf_parse_iops(const char *s, uint64_t *v, lxcf_err *err)
{
    return lxcf_parse_count(s, false, "iops count", v, err);
}

static int lxcf_read_online(const char *root, const char *rel, bool missing_is_zero,
                            lxcf_bitmap *out, lxcf_err *err)
{
    _cleanup_free_ char *path = lxcf_path_join(root, rel);
    _cleanup_free_ char *buf = NULL;
    size_t len;

    if (missing_is_zero && access(path, F_OK) < 0 && errno == ENOENT) {
        lxcf_bitmap_clear(out);
        lxcf_bitmap_set(out, 0);
        return 0;
    }
    if (lxcf_read_file(path, &buf, &len, err) < 0)
        return -1;
    while (len && isspace((unsigned char)buf[len - 1]))
        buf[--len] = '\0';
    if (lxcf_parse_list(buf, LXCF_BITMAP_BITS, out, err) < 0) {
        lxcf_error_prefix(err, "%s: ", path);
        return -1;
    }
    return 0;
}

int lxcf_host_online_cpus(const char *root, lxcf_bitmap *out, lxcf_err *err)
{
    return lxcf_read_online(root, "/sys/devices/system/cpu/online", false, out, err);
}

int lxcf_host_online_nodes(const char *root, lxcf_bitmap *out, lxcf_err *err)
{
    return lxcf_read_online(root, "/sys/devices/system/node/online", true, out, err);
}

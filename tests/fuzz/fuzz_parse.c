/* The value parsers on arbitrary text: the first byte picks the parser, the
 * rest (NUL-terminated) is its input.  Beyond "no crash", each accepted
 * value must be in range and, where the parser is canonical, format back to
 * what was parsed. */
#include <string.h>

#include "addr.h"
#include "cleanup.h"
#include "fuzz.h"
#include "parse.h"
#include "util.h"

/* A failure must carry a usage error with a message; a success must not. */
static void lxcf_fuzz_check_err(int r, const lxcf_err *err)
{
    if (r < 0) {
        LXCF_FUZZ_CHECK(err->code == LXCF_EXIT_USAGE);
        LXCF_FUZZ_CHECK(err->msg[0] != '\0');
    } else {
        LXCF_FUZZ_CHECK(r == 0 && err->code == 0);
    }
}

static void lxcf_fuzz_cpulist(const char *s, unsigned max)
{
    lxcf_err err = LXCF_ERR_INIT, err2 = LXCF_ERR_INIT;
    lxcf_bitmap b, again;
    int r = lxcf_parse_cpulist(s, max, &b, &err);

    lxcf_fuzz_check_err(r, &err);
    if (r < 0)
        return;
    _cleanup_free_ char *canon = lxcf_bitmap_format(&b);
    LXCF_FUZZ_CHECK(lxcf_bitmap_count(&b) > 0);
    LXCF_FUZZ_CHECK((unsigned)lxcf_bitmap_last(&b) < (max ? max : LXCF_BITMAP_BITS));
    LXCF_FUZZ_CHECK(lxcf_parse_cpulist(canon, max, &again, &err2) == 0);
    LXCF_FUZZ_CHECK(memcmp(&b, &again, sizeof(b)) == 0);
}

static void lxcf_fuzz_ipv4(const char *s)
{
    lxcf_err err = LXCF_ERR_INIT;
    char buf[LXCF_IPV4_STRLEN];
    uint32_t a;
    int r = lxcf_ipv4_parse(s, &a, &err);

    lxcf_fuzz_check_err(r, &err);
    if (r < 0)
        return;
    /* Strict dotted quad: only the canonical spelling is accepted. */
    lxcf_ipv4_format(a, buf);
    LXCF_FUZZ_CHECK(strcmp(buf, s) == 0);
}

static void lxcf_fuzz_net(const char *s)
{
    lxcf_err err = LXCF_ERR_INIT;
    lxcf_ipv4_net net;
    int r = lxcf_ipv4_net_parse(s, &net, &err);

    lxcf_fuzz_check_err(r, &err);
    if (r < 0)
        return;
    LXCF_FUZZ_CHECK(net.prefix >= 1 && net.prefix <= 30);
    LXCF_FUZZ_CHECK(lxcf_ipv4_net_contains(&net, net.addr));
    LXCF_FUZZ_CHECK(net.addr != lxcf_ipv4_net_network(&net));
    LXCF_FUZZ_CHECK(net.addr != lxcf_ipv4_net_broadcast(&net));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lxcf_err err = LXCF_ERR_INIT;
    _cleanup_free_ char *s = NULL;
    uint64_t v;
    unsigned pct;
    bool unlimited;
    int r;

    if (size < 1)
        return 0;
    s = lxcf_xstrndup((const char *)data + 1, size - 1);
    switch (data[0] % 8) {
    case 0:
        r = lxcf_parse_size(s, &v, &unlimited, &err);
        lxcf_fuzz_check_err(r, &err);
        LXCF_FUZZ_CHECK(r < 0 || (unlimited ? v == UINT64_MAX : v > 0 && v < UINT64_MAX));
        break;
    case 1:
        /* The high bits pick the bound: a small host, or none (0 = 4096). */
        lxcf_fuzz_cpulist(s, data[0] >= 128 ? 0 : 1 + data[0] / 8);
        break;
    case 2:
        r = lxcf_parse_percent(s, &pct, &err);
        lxcf_fuzz_check_err(r, &err);
        LXCF_FUZZ_CHECK(r < 0 || (pct >= 1 && pct <= 100));
        break;
    case 3:
        r = lxcf_parse_rate(s, &v, &err);
        lxcf_fuzz_check_err(r, &err);
        LXCF_FUZZ_CHECK(r < 0 || v > 0);
        break;
    case 4:
        r = lxcf_parse_iops(s, &v, &err);
        lxcf_fuzz_check_err(r, &err);
        LXCF_FUZZ_CHECK(r < 0 || v > 0);
        break;
    case 5:
        lxcf_fuzz_ipv4(s);
        break;
    case 6:
        lxcf_fuzz_net(s);
        break;
    case 7:
        r = lxcf_name_check(s, &err);
        lxcf_fuzz_check_err(r, &err);
        LXCF_FUZZ_CHECK(r < 0 || (strlen(s) >= 1 && strlen(s) <= LXCF_NAME_MAX));
        break;
    }
    return 0;
}

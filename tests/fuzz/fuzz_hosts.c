/* lxcf_hosts_render on an arbitrary /etc/hosts with a fixed entry list (the
 * first byte picks how many of them), then the round trips the hosts module
 * promises:
 *   - the rendered text's block parses back to exactly those entries;
 *   - rendering it again with the same entries changes nothing;
 *   - rendering it with no entries succeeds, leaves no block, and gives back
 *     the original bytes when the original had no block. */
#include <string.h>

#include "cleanup.h"
#include "fuzz.h"
#include "hosts.h"
#include "util.h"

/* Sorted as render sorts (by address, then name), so that parse_block's
 * file order can be compared with it directly. */
static const lxcf_hosts_entry lxcf_fuzz_entries[] = {
    { "10.0.0.2", "db" },
    { "192.168.125.10", "lxcft-x1" },
    { "192.168.125.10", "web-1" },
};

/* Conservative: the marker text anywhere, even mid-line, counts. */
static bool lxcf_fuzz_has_block(const char *s)
{
    return strstr(s, LXCF_HOSTS_BEGIN) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    _cleanup_free_ char *old = NULL, *out = NULL, *again = NULL, *removed = NULL;
    _cleanup_free_ lxcf_hosts_entry *parsed = NULL, *left = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    size_t n, nparsed = 0, nleft = 0;
    bool had_block;

    if (size < 1)
        return 0;
    n = data[0] % 4;
    old = lxcf_xstrndup((const char *)data + 1, size - 1);
    had_block = lxcf_fuzz_has_block(old);

    if (lxcf_hosts_render(old, lxcf_fuzz_entries, n, &out, &err) < 0) {
        LXCF_FUZZ_CHECK(err.code != 0 && err.msg[0] != '\0');
        LXCF_FUZZ_CHECK(out == NULL);
        return 0;
    }
    LXCF_FUZZ_CHECK(out != NULL && err.code == 0);

    LXCF_FUZZ_CHECK(lxcf_hosts_parse_block(out, &parsed, &nparsed, &err) == 0);
    LXCF_FUZZ_CHECK(nparsed == n);
    for (size_t i = 0; i < n; i++) {
        LXCF_FUZZ_CHECK(strcmp(parsed[i].addr, lxcf_fuzz_entries[i].addr) == 0);
        LXCF_FUZZ_CHECK(strcmp(parsed[i].name, lxcf_fuzz_entries[i].name) == 0);
    }

    LXCF_FUZZ_CHECK(lxcf_hosts_render(out, lxcf_fuzz_entries, n, &again, &err) == 0);
    LXCF_FUZZ_CHECK(strcmp(again, out) == 0);

    LXCF_FUZZ_CHECK(lxcf_hosts_render(out, NULL, 0, &removed, &err) == 0);
    LXCF_FUZZ_CHECK(lxcf_hosts_parse_block(removed, &left, &nleft, &err) == 0);
    LXCF_FUZZ_CHECK(nleft == 0);
    if (!had_block)
        LXCF_FUZZ_CHECK(strcmp(removed, old) == 0);
    return 0;
}

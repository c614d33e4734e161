/* lxcf.conf parsing: defaults, good files, and every kind of bad file
 * giving one error that names the file and the key or line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cleanup.h"
#include "config.h"
#include "testutil.h"
#include "util.h"

static char *write_conf(const char *name, const char *text)
{
    char *path = lxcf_xasprintf("%s/%s", lxcf_test_base, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_defaults_match_shipped_file(void **state)
{
    lxcf_config def, shipped;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_config_defaults(&def);
    lxcf_config_defaults(&shipped);
    /* Load over different values so equality proves the file set them. */
    free(shipped.model);
    shipped.model = lxcf_xstrdup("separate");
    free(shipped.roots);
    shipped.roots = lxcf_xstrdup("/elsewhere");
    assert_int_equal(lxcf_config_load(&shipped, LXCF_TEST_SRCDIR "/conf/lxcf.conf", true, &err), 0);
    assert_string_equal(shipped.model, def.model);
    assert_string_equal(shipped.roots, def.roots);
    assert_string_equal(shipped.uri, def.uri);
    assert_string_equal(shipped.net_name, def.net_name);
    assert_string_equal(shipped.net_bridge, def.net_bridge);
    assert_string_equal(shipped.net_address, def.net_address);
    assert_string_equal(shipped.net_pool_start, def.net_pool_start);
    assert_string_equal(shipped.net_pool_end, def.net_pool_end);
    assert_int_equal(shipped.memory_mib, def.memory_mib);
    assert_int_equal(shipped.vcpus, def.vcpus);
    assert_int_equal(shipped.stop_timeout, def.stop_timeout);
    assert_int_equal(shipped.start_timeout, def.start_timeout);
    lxcf_config_clear(&def);
    lxcf_config_clear(&shipped);
}

static void test_good_file_overrides_defaults(void **state)
{
    _cleanup_free_ char *p = write_conf("good.conf",
        "; comment\n[Model]\nmodel = separate\n\n[Paths]\nroots=/srv/lxcf\n"
        "[Network]\nname = testnet\naddress = 10.9.0.1/16\npool_start = 10.9.0.10\npool_end = 10.9.0.200\n[Container]\nmemory = 512\n");
    lxcf_config cfg;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_config_defaults(&cfg);
    assert_int_equal(lxcf_config_load(&cfg, p, true, &err), 0);
    assert_string_equal(cfg.model, "separate");
    assert_string_equal(cfg.roots, "/srv/lxcf");
    assert_string_equal(cfg.net_name, "testnet");
    assert_string_equal(cfg.net_address, "10.9.0.1/16");
    assert_int_equal(cfg.memory_mib, 512);
    assert_string_equal(cfg.net_bridge, "virbr1");
    assert_string_equal(cfg.path, p);
    lxcf_config_clear(&cfg);
}

static void test_missing_optional_file_gives_defaults(void **state)
{
    lxcf_config cfg;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_config_defaults(&cfg);
    assert_int_equal(lxcf_config_load(&cfg, "/nonexistent/lxcf.conf", false, &err), 0);
    assert_string_equal(cfg.model, "joint");
    assert_null(cfg.path);
    lxcf_config_clear(&cfg);
}

typedef struct {
    const char *text;
    const char *expect;  /* a substring the one error line must contain */
} bad_case;

static const bad_case bad_cases[] = {
    { "[Model]\nmodel = both\n", "expected joint or separate" },
    { "[Model]\nmodle = joint\n", "unknown key 'modle' in [model]" },
    { "[Modle]\nmodel = joint\n", "unknown section [modle]" },
    { "[Paths]\nroots = relative/dir\n", "must be an absolute path" },
    { "[Paths]\nroots = /\n", "must not be /" },
    { "[Container]\nmemory = lots\n", "container:memory" },
    { "[Container]\nvcpus = 0\n", "out of range" },
    { "[Container]\nmemory = 99999999999999999999999\n", "container:memory" },
    { "[Network]\nname = bad/name\n", "[network] name" },
    { "[Network]\naddress = 192.168.1.1\n", "expected ADDRESS/PREFIX" },
    { "[Network]\nbridge =\n", "empty value" },
    { "this is not an ini file\n[[[\n", "syntax error" },
    { "model = joint\n[Paths]\nroots = /srv/x\n", "key 'model' outside any [section]" },
    { "[Network]\naddress = 300.168.136.1/24\n", "[network] " },
    { "[Network]\npool_start = 192.168.125.250\npool_end = 192.168.125.10\n", "[network] " },
    { "[Network]\npool_start = 10.0.0.5\n", "[network] " },
};

static void test_bad_files_give_one_clear_error(void **state)
{
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        _cleanup_free_ char *name = lxcf_xasprintf("bad%zu.conf", i);
        _cleanup_free_ char *p = write_conf(name, bad_cases[i].text);
        lxcf_config cfg;
        lxcf_err err = LXCF_ERR_INIT;

        lxcf_config_defaults(&cfg);
        assert_int_equal(lxcf_config_load(&cfg, p, true, &err), -1);
        assert_int_equal(err.code, LXCF_EXIT_CONFIG);
        if (!strstr(err.msg, bad_cases[i].expect) || !strstr(err.msg, name) ||
            strchr(err.msg, '\n'))
            fail_msg("case %zu: message '%s' lacks '%s' or the file name, or is not one line",
                     i, err.msg, bad_cases[i].expect);
        lxcf_config_clear(&cfg);
    }
}

static void test_unreadable_file_is_an_error(void **state)
{
    lxcf_config cfg;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_config_defaults(&cfg);
    assert_int_equal(lxcf_config_load(&cfg, lxcf_test_base, true, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_CONFIG);
    assert_non_null(strstr(err.msg, "not a regular file"));
    lxcf_error_clear(&err);
    assert_int_equal(lxcf_config_load(&cfg, "/nonexistent/x.conf", true, &err), -1);
    assert_non_null(strstr(err.msg, "cannot read /nonexistent/x.conf"));
    lxcf_config_clear(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_match_shipped_file),
        cmocka_unit_test(test_good_file_overrides_defaults),
        cmocka_unit_test(test_missing_optional_file_gives_defaults),
        cmocka_unit_test(test_bad_files_give_one_clear_error),
        cmocka_unit_test(test_unreadable_file_is_an_error),
    };
    return cmocka_run_group_tests(tests, lxcf_test_base_setup, lxcf_test_base_teardown);
}

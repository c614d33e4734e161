/* Option parsing and help of the lxcf command. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cleanup.h"
#include "cli.h"
#include "out.h"
#include "util.h"

#define ARGV(...) ((char *[]){ "lxcf", __VA_ARGS__, NULL })
#define ARGC(v) ((int)(lxcf_strv_len(v)))

static int parse(lxcf_cli *cli, char **argv, lxcf_err *err)
{
    return lxcf_cli_parse(cli, ARGC(argv), argv, err);
}

static void test_global_options_anywhere(void **state)
{
    lxcf_cli cli;
    lxcf_err err = LXCF_ERR_INIT;
    char **v = ARGV("list", "--root", "/tmp", "-c", "test:///default", "--config", "/x.conf", "--json");

    assert_int_equal(parse(&cli, v, &err), 0);
    assert_string_equal(cli.cmd->name, "list");
    assert_string_equal(cli.root, "/tmp");
    assert_string_equal(cli.uri, "test:///default");
    assert_string_equal(cli.config, "/x.conf");
    assert_true(cli.json);
    assert_int_equal(cli.argc, 0);
    lxcf_cli_clear(&cli);
}

static void test_global_options_before_subcommand(void **state)
{
    lxcf_cli cli;
    lxcf_err err = LXCF_ERR_INIT;
    char **v = ARGV("--root", "/tmp", "--connect=test:///default", "list", "--json");

    assert_int_equal(parse(&cli, v, &err), 0);
    assert_string_equal(cli.cmd->name, "list");
    assert_string_equal(cli.root, "/tmp");
    assert_string_equal(cli.uri, "test:///default");
    assert_true(cli.json);
    lxcf_cli_clear(&cli);

    lxcf_err err2 = LXCF_ERR_INIT;
    char **w = ARGV("--root", "/tmp");
    assert_int_equal(parse(&cli, w, &err2), -1);
    assert_int_equal(err2.code, LXCF_EXIT_USAGE);
    assert_non_null(strstr(err2.msg, "missing subcommand"));
    lxcf_cli_clear(&cli);
}

static void test_subcommand_options_and_args(void **state)
{
    lxcf_cli cli;
    lxcf_err err = LXCF_ERR_INIT;
    char **v = ARGV("sysgen", "web1", "--model", "separate", "--no-start", "web2");

    assert_int_equal(parse(&cli, v, &err), 0);
    assert_string_equal(cli.model, "separate");
    assert_true(cli.no_start);
    assert_int_equal(cli.argc, 2);
    assert_string_equal(cli.argv[0], "web1");
    assert_string_equal(cli.argv[1], "web2");
    lxcf_cli_clear(&cli);
}

static void test_update_stops_at_the_command(void **state)
{
    lxcf_cli cli;
    lxcf_err err = LXCF_ERR_INIT;
    char **v = ARGV("update", "--only", "db1", "yum", "update", "-y", "--nogpgcheck", "pkg");

    assert_int_equal(parse(&cli, v, &err), 0);
    assert_non_null(cli.only);
    assert_string_equal(cli.only[0], "db1");
    assert_int_equal(cli.argc, 5);
    assert_string_equal(cli.argv[0], "yum");
    assert_string_equal(cli.argv[2], "-y");
    assert_string_equal(cli.argv[3], "--nogpgcheck");
    lxcf_cli_clear(&cli);
}

static void test_sysstart_short_disable(void **state)
{
    lxcf_cli cli;
    lxcf_err err = LXCF_ERR_INIT;
    char **v = ARGV("sysstart", "-d", "web1");

    assert_int_equal(parse(&cli, v, &err), 0);
    assert_true(cli.disable);
    lxcf_cli_clear(&cli);
}

typedef struct {
    char **argv;
    const char *expect;
} bad_case;

static void test_bad_command_lines(void **state)
{
    const bad_case cases[] = {
        { ARGV("frobnicate"), "unknown subcommand 'frobnicate'" },
        { ARGV("list", "--bogus"), "list: unknown option '--bogus'" },
        { ARGV("list", "-x"), "list: unknown option '-x'" },
        { ARGV("list", "extra"), "list: unexpected argument 'extra'" },
        { ARGV("sysgen"), "sysgen: missing argument" },
        { ARGV("sysgen", "--model", "both", "x"), "expected joint or separate" },
        { ARGV("sysgen", "x", "--model"), "needs a value" },
        { ARGV("sysgen", "x", "--json"), "unknown option '--json'" },
        { ARGV("stop", "x", "--timeout", "-1"), "--timeout" },
        { ARGV("stop", "x", "--timeout", "12abc"), "--timeout" },
        { ARGV("update", "--jobs", "0", "true"), "--jobs" },
        { ARGV("update", "--only", "../etc", "true"), "invalid container name" },
        { ARGV("clone", "a", "b", "c"), "unexpected argument 'c'" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        lxcf_cli cli;
        lxcf_err err = LXCF_ERR_INIT;

        assert_int_equal(parse(&cli, cases[i].argv, &err), -1);
        assert_int_equal(err.code, LXCF_EXIT_USAGE);
        if (!strstr(err.msg, cases[i].expect))
            fail_msg("case %zu: '%s' does not contain '%s'", i, err.msg, cases[i].expect);
        lxcf_cli_clear(&cli);
    }
}

static char *run_capture(char **argv, int *rc)
{
    lxcf_cli cli;
    lxcf_err err = LXCF_ERR_INIT;
    char *buf = NULL;
    size_t len = 0;

    assert_int_equal(parse(&cli, argv, &err), 0);
    cli.out = open_memstream(&buf, &len);
    assert_non_null(cli.out);
    *rc = lxcf_cli_run(&cli);
    fclose(cli.out);
    cli.out = NULL;
    lxcf_cli_clear(&cli);
    return buf;
}

static void test_help_lists_every_subcommand(void **state)
{
    int rc;
    _cleanup_free_ char *out = run_capture(ARGV("help"), &rc);

    assert_int_equal(rc, 0);
    for (size_t i = 0; i < lxcf_ncommands; i++) {
        _cleanup_free_ char *needle = lxcf_xasprintf("\n  %s ", lxcf_commands[i].name);
        if (!strstr(out, needle))
            fail_msg("'lxcf help' does not list %s", lxcf_commands[i].name);
    }
    /* Every planned subcommand of the project's issues is in the table. */
    const char *planned[] = { "sysgen", "sysgen-n", "clone", "erase", "erase-n", "start",
                              "start-n", "stop", "stop-n", "restart", "sysstart", "list",
                              "console", "enter", "show", "cpurate", "cpun", "memlimit",
                              "memswlimit", "numa", "blkio_r", "blkio_w", "blkioiops_r",
                              "blkioiops_w", "net", "update", "deploy", "help", "version" };
    for (size_t i = 0; i < sizeof(planned) / sizeof(planned[0]); i++)
        assert_non_null(lxcf_cli_find(planned[i]));
}

static void test_every_subcommand_has_help(void **state)
{
    for (size_t i = 0; i < lxcf_ncommands; i++) {
        int rc;
        char *argv[] = { "lxcf", (char *)lxcf_commands[i].name, "--help", NULL };
        _cleanup_free_ char *out = run_capture(argv, &rc);
        _cleanup_free_ char *usage = lxcf_xasprintf("Usage: lxcf %s ", lxcf_commands[i].name);

        assert_int_equal(rc, 0);
        assert_non_null(strstr(out, usage));
        assert_non_null(strstr(out, "--root DIR"));
    }
}

static void test_man_page_names_every_subcommand(void **state)
{
    int rc;
    _cleanup_free_ char *out = run_capture(ARGV("help", "--man"), &rc);

    assert_int_equal(rc, 0);
    assert_true(lxcf_startswith(out, ".TH LXCF 1"));
    for (size_t i = 0; i < lxcf_ncommands; i++) {
        _cleanup_free_ char *needle = lxcf_xasprintf(".B lxcf %s", lxcf_commands[i].name);
        /* roff escapes '-' in names like sysgen-n */
        _cleanup_free_ char *esc = lxcf_xstrdup(needle);
        if (!strstr(out, needle)) {
            char *dash = strchr(esc + 7, '-');
            if (dash) {
                _cleanup_free_ char *e2 = lxcf_xasprintf("%.*s\\-%s", (int)(dash - esc), esc, dash + 1);
                assert_non_null(strstr(out, e2));
                continue;
            }
            fail_msg("man page lacks %s", needle);
        }
    }
}

static void test_version(void **state)
{
    int rc;
    _cleanup_free_ char *out = run_capture(ARGV("version"), &rc);

    assert_int_equal(rc, 0);
    assert_true(lxcf_startswith(out, "lxcf "));
}

/* The rows that share a handler reach their own step: a NAME... row checks
 * its names, a -n row its COUNT, a limit its NAME, before anything else. */
static void test_shared_handlers_know_their_row(void **state)
{
    size_t each = 0, limits = 0;

    for (size_t i = 0; i < lxcf_ncommands; i++) {
        const lxcf_cmd *c = &lxcf_commands[i];
        bool limit = c->run == lxcf_cmd_resource, batch = lxcf_endswith(c->name, "-n");
        char *argv[] = { "lxcf", (char *)c->name, limit ? "a/b" : "a", batch ? "0" : "a", NULL };
        const char *expect = limit   ? "a/b: "
                             : batch ? "COUNT: 0 is out of range"
                                     : "a: listed twice";
        lxcf_cli cli;
        lxcf_err err = LXCF_ERR_INIT;

        if (c->run != lxcf_cmd_each && c->run != lxcf_cmd_resource)
            continue;
        each += c->run == lxcf_cmd_each;
        limits += limit;
        assert_int_equal(parse(&cli, argv, &err), 0);
        assert_int_equal(c->run(&cli, &err), -1);
        if (!strstr(err.msg, expect))
            fail_msg("%s: '%s' does not contain '%s'", c->name, err.msg, expect);
        lxcf_cli_clear(&cli);
    }
    assert_int_equal(each, 9);
    assert_int_equal(limits, 9);
}

/* WRITE's output on a stream is EXPECT. */
static void assert_prints(void (*write)(FILE *f), const char *expect)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    write(f);
    fclose(f);
    assert_string_equal(buf, expect);
    free(buf);
}

static void write_json_layout(FILE *f)
{
    lxcf_json j;

    lxcf_json_init(&j, f);
    lxcf_json_object(&j, NULL, true);
    lxcf_json_string(&j, "name", "a\"b\\c\td\ne\001");
    lxcf_json_string(&j, "none", NULL);
    lxcf_json_array(&j, "items", true);
    lxcf_json_object(&j, NULL, false);
    lxcf_json_uint(&j, "max", true, UINT64_MAX);
    lxcf_json_uint(&j, "unset", false, 7);
    lxcf_json_int(&j, "neg", true, -3);
    lxcf_json_int(&j, "unknown", false, -1);
    lxcf_json_close(&j);
    lxcf_json_object(&j, NULL, false);
    lxcf_json_close(&j);
    lxcf_json_close(&j);
    lxcf_json_array(&j, "pair", false);
    lxcf_json_bool(&j, NULL, 1);
    lxcf_json_bool(&j, NULL, 0);
    lxcf_json_bool(&j, NULL, -1);
    lxcf_json_close(&j);
    lxcf_json_array(&j, "empty", false);
    lxcf_json_close(&j);
    lxcf_json_array(&j, "empty_lines", true);
    lxcf_json_close(&j);
    lxcf_json_null(&j, "last");
    lxcf_json_close(&j);
}

/* The one writer of every --json: levels on lines and inline, and empty ones. */
static void test_json_layout(void **state)
{
    assert_prints(write_json_layout,
                  "{\n"
                  "  \"name\": \"a\\\"b\\\\c\\td\\ne\\u0001\",\n"
                  "  \"none\": null,\n"
                  "  \"items\": [\n"
                  "    {\"max\": 18446744073709551615, \"unset\": null, \"neg\": -3, \"unknown\": null},\n"
                  "    {}\n"
                  "  ],\n"
                  "  \"pair\": [true, false, null],\n"
                  "  \"empty\": [],\n"
                  "  \"empty_lines\": [],\n"
                  "  \"last\": null\n"
                  "}\n");
}

static void write_json_outer(FILE *f)
{
    lxcf_json j;

    lxcf_json_init(&j, f);
    lxcf_json_array(&j, NULL, true);
    lxcf_json_close(&j);
    lxcf_json_array(&j, NULL, true);
    lxcf_json_string(&j, NULL, "x");
    lxcf_json_close(&j);
    lxcf_json_object(&j, NULL, false);
    lxcf_json_uint(&j, "n", true, 1);
    lxcf_json_close(&j);
}

/* An outermost array on lines, as `list --json` prints it: empty is "[]". */
static void test_json_outer_array(void **state)
{
    assert_prints(write_json_outer, "[]\n[\n  \"x\"\n]\n{\"n\": 1}\n");
}

static void write_fields(FILE *f)
{
    lxcf_field(f, "name", "web1");
    lxcf_field(f, "uuid", NULL);
    lxcf_field(f, "persistent", "yes");
    lxcf_fieldf(f, "address", "%s/%u", "192.168.125.11", 24u);
    lxcf_field(f, "a-label-too-long", "x");
}

/* The NAME: VALUE lines of show and net keep their values in one column. */
static void test_fields(void **state)
{
    assert_prints(write_fields, "name:       web1\n"
                                "uuid:       -\n"
                                "persistent: yes\n"
                                "address:    192.168.125.11/24\n"
                                "a-label-too-long: x\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_global_options_anywhere),
        cmocka_unit_test(test_global_options_before_subcommand),
        cmocka_unit_test(test_subcommand_options_and_args),
        cmocka_unit_test(test_update_stops_at_the_command),
        cmocka_unit_test(test_sysstart_short_disable),
        cmocka_unit_test(test_bad_command_lines),
        cmocka_unit_test(test_help_lists_every_subcommand),
        cmocka_unit_test(test_every_subcommand_has_help),
        cmocka_unit_test(test_man_page_names_every_subcommand),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_shared_handlers_know_their_row),
        cmocka_unit_test(test_json_layout),
        cmocka_unit_test(test_json_outer_array),
        cmocka_unit_test(test_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests for lib/core/update_plan: which guests an update or deploy takes,
 * and the command's host files rewritten for the chroot. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "container.h"
#include "testutil.h"
#include "update_plan.h"
#include "util.h"

/* ---- plan ---------------------------------------------------------------- */

static lxcf_container *t_c(const char *name, const char *uuid, int model, const char *note)
{
    lxcf_container *c = lxcf_container_new();
    c->name = lxcf_xstrdup(name);
    c->uuid = lxcf_xstrdup(uuid);
    c->model = model;
    c->root = lxcf_xasprintf("/opt/lxcf/%s", name);
    c->state_note = note ? lxcf_xstrdup(note) : NULL;
    return c;
}

static void t_list(lxcf_virt_list *l)
{
    l->n = 4;
    l->e = lxcf_xcalloc(4, sizeof(*l->e));
    l->e[0] = (lxcf_virt_entry){ .c = t_c("a1", "00000000-0000-0000-0000-0000000000a1", LXCF_MODEL_JOINT, NULL), .id = 12 };
    l->e[1] = (lxcf_virt_entry){ .c = t_c("b1", "00000000-0000-0000-0000-0000000000b1", LXCF_MODEL_SEPARATE, NULL), .id = -1 };
    l->e[2] = (lxcf_virt_entry){ .c = t_c("c1", "00000000-0000-0000-0000-0000000000c1", LXCF_MODEL_JOINT, "building"), .id = -1 };
    l->e[3] = (lxcf_virt_entry){ .c = t_c("d1", "00000000-0000-0000-0000-0000000000d1", LXCF_MODEL_JOINT, NULL), .id = -1 };
}

static void test_plan_all_guests_skips_building(void **state)
{
    lxcf_virt_list l;
    lxcf_update_plan p;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    t_list(&l);
    assert_int_equal(lxcf_update_plan_build(&l, "/opt/lxcf", NULL, &p, &err), 0);
    assert_int_equal(p.n, 3);
    assert_string_equal(p.g[0].name, "a1");
    assert_true(p.g[0].running);
    assert_int_equal(p.g[0].model, LXCF_MODEL_JOINT);
    assert_string_equal(p.g[1].name, "b1");
    assert_false(p.g[1].running);
    assert_int_equal(p.g[1].model, LXCF_MODEL_SEPARATE);
    assert_string_equal(p.g[1].root, "/opt/lxcf/b1");
    assert_string_equal(p.g[2].name, "d1");
    assert_int_equal(lxcf_strv_len(p.skipped), 1);
    assert_string_equal(p.skipped[0], "c1");
    lxcf_update_plan_clear(&p);
    lxcf_virt_list_clear(&l);
}

static void test_plan_only_by_name_and_uuid(void **state)
{
    lxcf_virt_list l;
    lxcf_update_plan p;
    lxcf_err err = LXCF_ERR_INIT;
    char *only[] = { "d1", "00000000-0000-0000-0000-0000000000A1", "d1", NULL };

    (void)state;
    t_list(&l);
    assert_int_equal(lxcf_update_plan_build(&l, "/opt/lxcf", only, &p, &err), 0);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.g[0].name, "a1");
    assert_string_equal(p.g[1].name, "d1");
    lxcf_update_plan_clear(&p);
    lxcf_virt_list_clear(&l);
}

/* The plan of t_list's guests for ONLY fails with CODE, naming NAME. */
static void t_plan_fails(char *const *only, int code, const char *name, lxcf_update_plan *p)
{
    lxcf_virt_list l;
    lxcf_err err = LXCF_ERR_INIT;

    t_list(&l);
    assert_int_equal(lxcf_update_plan_build(&l, "/opt/lxcf", only, p, &err), -1);
    assert_int_equal(err.code, code);
    assert_non_null(strstr(err.msg, name));
    lxcf_virt_list_clear(&l);
}

static void test_plan_only_unknown_is_notfound(void **state)
{
    lxcf_update_plan p;
    char *only[] = { "a1", "zz9", NULL };

    (void)state;
    t_plan_fails(only, LXCF_EXIT_NOTFOUND, "zz9", &p);
    assert_int_equal(p.n, 0);
}

static void test_plan_only_building_is_usage(void **state)
{
    lxcf_update_plan p;
    char *only[] = { "c1", NULL };

    (void)state;
    t_plan_fails(only, LXCF_EXIT_USAGE, "c1", &p);
}

static void test_plan_leaves_out_other_host_trees(void **state)
{
    lxcf_virt_list l;
    lxcf_update_plan p;
    lxcf_err err = LXCF_ERR_INIT;
    char *only[] = { "x1", NULL };

    (void)state;
    t_list(&l);
    free(l.e[3].c->root);
    l.e[3].c->root = lxcf_xstrdup("/var/tmp/other/opt/lxcf/d1");
    assert_int_equal(lxcf_update_plan_build(&l, "/opt/lxcf", NULL, &p, &err), 0);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.g[1].name, "b1");
    lxcf_update_plan_clear(&p);
    only[0] = "d1";
    assert_int_equal(lxcf_update_plan_build(&l, "/opt/lxcf", only, &p, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_NOTFOUND);
    lxcf_virt_list_clear(&l);
}

/* ---- command arguments ---------------------------------------------------- */

static void test_cmd_rewrites_host_files_only(void **state)
{
    _cleanup_free_ char *d = lxcf_test_mkdtemp();
    _cleanup_free_ char *deb = lxcf_xasprintf("%s/pkg.deb", d);
    _cleanup_free_ char *rpm = lxcf_xasprintf("%s/x.rpm", d);
    char cwd[4096];
    lxcf_update_cmd cmd;
    lxcf_err err = LXCF_ERR_INIT;

    (void)state;
    lxcf_test_write_file(d, "pkg.deb", "deb");
    lxcf_test_write_file(d, "x.rpm", "rpm");
    lxcf_test_write_file(d, "vim", "not a package file");
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(d), 0);
    {
        char *argv[] = { "dpkg", "-i", deb, "vim", "x.rpm", "missing.deb", "-y", NULL };
        assert_int_equal(lxcf_update_cmd_prepare(argv, &cmd, &err), 0);
    }
    assert_int_equal(chdir(cwd), 0);
    assert_string_equal(cmd.argv[2], deb);
    assert_string_equal(cmd.chroot_argv[0], "dpkg");
    assert_string_equal(cmd.chroot_argv[1], "-i");
    assert_string_equal(cmd.chroot_argv[2], LXCF_UPDATE_FILES_DIR "/0/pkg.deb");
    assert_string_equal(cmd.chroot_argv[3], "vim");
    assert_string_equal(cmd.chroot_argv[4], LXCF_UPDATE_FILES_DIR "/1/x.rpm");
    assert_string_equal(cmd.chroot_argv[5], "missing.deb");
    assert_string_equal(cmd.chroot_argv[6], "-y");
    assert_null(cmd.chroot_argv[7]);
    assert_int_equal(lxcf_strv_len(cmd.files), 2);
    assert_string_equal(cmd.files[0], deb);
    assert_string_equal(cmd.files[1], rpm);
    assert_string_equal(cmd.dests[1], LXCF_UPDATE_FILES_DIR "/1/x.rpm");
    lxcf_update_cmd_clear(&cmd);
    lxcf_test_rmrf(d);
}

static void test_cmd_empty_is_usage(void **state)
{
    lxcf_update_cmd cmd;
    lxcf_err err = LXCF_ERR_INIT;
    char *argv[] = { NULL };

    (void)state;
    assert_int_equal(lxcf_update_cmd_prepare(argv, &cmd, &err), -1);
    assert_int_equal(err.code, LXCF_EXIT_USAGE);
    assert_null(cmd.argv);
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_all_guests_skips_building),
        cmocka_unit_test(test_plan_only_by_name_and_uuid),
        cmocka_unit_test(test_plan_only_unknown_is_notfound),
        cmocka_unit_test(test_plan_only_building_is_usage),
        cmocka_unit_test(test_plan_leaves_out_other_host_trees),
        cmocka_unit_test(test_cmd_rewrites_host_files_only),
        cmocka_unit_test(test_cmd_empty_is_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

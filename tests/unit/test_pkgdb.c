/* pkgdb: dpkg's status file as update reads it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cleanup.h"
#include "pkgdb.h"
#include "testutil.h"
#include "util.h"

static const char *const t_status =
    "Package: hello\nStatus: install ok installed\nPriority: optional\nVersion: 2.10-3\n"
    "Description: hi\n more text\n\n"
    "Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\n\n"
    "Package: half\nStatus: install ok half-configured\nVersion: 0.9\n\n"
    "Package: last\nVersion: 5\nStatus: install ok installed\n";

static void test_reads_installed_packages_only(void **state)
{
    _cleanup_free_ char *r = lxcf_test_subtree();
    lxcf_pkgdb db;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(r, "var/lib/dpkg/status", t_status);
    assert_int_equal(lxcf_pkgdb_read(r, &db, &err), 0);
    assert_true(db.found);
    assert_int_equal(db.n, 2);
    assert_string_equal(lxcf_pkgdb_version(&db, "hello"), "2.10-3");
    assert_string_equal(lxcf_pkgdb_version(&db, "last"), "5");
    assert_null(lxcf_pkgdb_version(&db, "gone"));
    assert_null(lxcf_pkgdb_version(&db, "half"));
    lxcf_pkgdb_clear(&db);
    lxcf_test_rmrf(r);
}

static void test_no_dpkg_database_is_empty_not_an_error(void **state)
{
    _cleanup_free_ char *r = lxcf_test_subtree();
    lxcf_pkgdb db;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_mkdirs(r, "var/lib/rpm");
    assert_int_equal(lxcf_pkgdb_read(r, &db, &err), 0);
    assert_false(db.found);
    assert_int_equal(db.n, 0);
    lxcf_test_rmrf(r);
}

static void test_changed_names_added_removed_and_upgraded(void **state)
{
    _cleanup_free_ char *r = lxcf_test_subtree();
    _cleanup_strv_ char **names = NULL;
    lxcf_pkgdb a, b;
    lxcf_err err = LXCF_ERR_INIT;

    lxcf_test_write_file(r, "a/var/lib/dpkg/status",
                         "Package: same\nStatus: install ok installed\nVersion: 1\n\n"
                         "Package: up\nStatus: install ok installed\nVersion: 1\n\n"
                         "Package: removed\nStatus: install ok installed\nVersion: 1\n");
    lxcf_test_write_file(r, "b/var/lib/dpkg/status",
                         "Package: same\nStatus: install ok installed\nVersion: 1\n\n"
                         "Package: up\nStatus: install ok installed\nVersion: 2\n\n"
                         "Package: new\nStatus: install ok installed\nVersion: 1\n");
    _cleanup_free_ char *ra = lxcf_path_join(r, "a"), *rb = lxcf_path_join(r, "b");
    assert_int_equal(lxcf_pkgdb_read(ra, &a, &err), 0);
    assert_int_equal(lxcf_pkgdb_read(rb, &b, &err), 0);
    lxcf_pkgdb_changed(&a, &b, &names);
    lxcf_pkgdb_changed(&a, &b, &names);
    assert_int_equal(lxcf_strv_len(names), 3);
    assert_true(lxcf_strv_contains(names, "up"));
    assert_true(lxcf_strv_contains(names, "removed"));
    assert_true(lxcf_strv_contains(names, "new"));
    assert_false(lxcf_strv_contains(names, "same"));
    lxcf_pkgdb_clear(&a);
    lxcf_pkgdb_clear(&b);
    lxcf_test_rmrf(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_installed_packages_only),
        cmocka_unit_test(test_no_dpkg_database_is_empty_not_an_error),
        cmocka_unit_test(test_changed_names_added_removed_and_upgraded),
    };
    return cmocka_run_group_tests(tests, lxcf_test_base_setup, lxcf_test_base_teardown);
}

/* pkgdb: dpkg's status file as update reads it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

static void test_rpm_query_output_parsed(void **state)
{
    lxcf_pkgdb db;
    lxcf_err err = LXCF_ERR_INIT;
    const char *out =
        "rpm: RPM should not be used directly install RPM packages, use Alien instead!\n"
        "@lxcf bash 0:5.2.15-2.fc38.x86_64\n"
        "@lxcf kernel 0:6.5.6-300.fc39.x86_64\n"
        "@lxcf glibc 0:2.38-7.fc39.x86_64\n"
        "@lxcf kernel 0:6.4.1-200.fc38.x86_64\n"
        "@lxcf glibc 0:2.38-7.fc39.i686\n"
        "@lxcf gpg-pubkey 0:18b8e74c-62f2920f.(none)\n"
        "@lxcf shadow-utils 2:4.14.0-2.fc39.x86_64\n";

    assert_int_equal(lxcf_pkgdb_parse_rpm(out, &db, &err), 0);
    assert_true(db.found);
    assert_int_equal(db.n, 5);
    assert_string_equal(lxcf_pkgdb_version(&db, "bash"), "0:5.2.15-2.fc38.x86_64");
    assert_string_equal(lxcf_pkgdb_version(&db, "shadow-utils"), "2:4.14.0-2.fc39.x86_64");
    /* Several installed at once: all of them, sorted, whatever rpm's order. */
    assert_string_equal(lxcf_pkgdb_version(&db, "kernel"),
                        "0:6.4.1-200.fc38.x86_64 0:6.5.6-300.fc39.x86_64");
    assert_string_equal(lxcf_pkgdb_version(&db, "glibc"), "0:2.38-7.fc39.i686 0:2.38-7.fc39.x86_64");
    assert_string_equal(lxcf_pkgdb_version(&db, "gpg-pubkey"), "0:18b8e74c-62f2920f.(none)");
    assert_null(lxcf_pkgdb_version(&db, "rpm:"));
    lxcf_pkgdb_clear(&db);

    assert_int_equal(lxcf_pkgdb_parse_rpm("", &db, &err), 0);
    assert_true(db.found);
    assert_int_equal(db.n, 0);
    lxcf_pkgdb_clear(&db);
}

static void test_rpm_query_malformed_line_is_an_error(void **state)
{
    const char *bad[] = { "@lxcf bash\n", "@lxcf  0:1-1.noarch\n", "@lxcf bash 1-1.noarch\n",
                          "@lxcf bash 0:1-1.noarch extra\n" };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lxcf_pkgdb db;
        lxcf_err err = LXCF_ERR_INIT;
        assert_int_equal(lxcf_pkgdb_parse_rpm(bad[i], &db, &err), -1);
        assert_non_null(strstr(err.msg, "rpm query line 1"));
        assert_int_equal(db.n, 0);
    }
}

static void test_rpm_changed_across_versions(void **state)
{
    _cleanup_strv_ char **names = NULL;
    lxcf_pkgdb a, b;
    lxcf_err err = LXCF_ERR_INIT;

    assert_int_equal(lxcf_pkgdb_parse_rpm("@lxcf x 0:1-1.noarch\n@lxcf k 0:1-1.x86_64\n", &a, &err), 0);
    assert_int_equal(lxcf_pkgdb_parse_rpm("@lxcf x 0:1-1.noarch\n@lxcf k 0:1-1.x86_64\n"
                                          "@lxcf k 0:2-1.x86_64\n", &b, &err), 0);
    lxcf_pkgdb_changed(&a, &b, &names);
    assert_int_equal(lxcf_strv_len(names), 1);
    assert_string_equal(names[0], "k");
    lxcf_pkgdb_clear(&a);
    lxcf_pkgdb_clear(&b);
}

static void test_rpm_dbpath_found_where_the_database_is(void **state)
{
    _cleanup_free_ char *r = lxcf_test_subtree();
    _cleanup_free_ char *none = NULL, *var = NULL, *macro = NULL, *sysimage = NULL;

    /* Empty directories hold no database (rpm creates them when asked). */
    lxcf_test_mkdirs(r, "var/lib/rpm");
    lxcf_test_mkdirs(r, "usr/lib/sysimage/rpm");
    none = lxcf_pkgdb_rpm_dbpath(r);
    assert_null(none);
    lxcf_test_write_file(r, "usr/lib/sysimage/rpm/rpmdb.sqlite", "x");
    sysimage = lxcf_pkgdb_rpm_dbpath(r);
    assert_string_equal(sysimage, "/usr/lib/sysimage/rpm");
    lxcf_test_write_file(r, "var/lib/rpm/Packages", "x");
    var = lxcf_pkgdb_rpm_dbpath(r);
    assert_string_equal(var, "/var/lib/rpm");
    lxcf_test_write_file(r, "etc/rpm/macros", "%_dbpath_rebuild /x\n%_dbpath  /srv/rpmdb  \n");
    lxcf_test_write_file(r, "srv/rpmdb/rpmdb.sqlite", "x");
    macro = lxcf_pkgdb_rpm_dbpath(r);
    assert_string_equal(macro, "/srv/rpmdb");
    lxcf_test_rmrf(r);
}

static void test_rpm_dbpath_symlink_into_usr_is_not_own(void **state)
{
    _cleanup_free_ char *r = lxcf_test_subtree();
    _cleanup_free_ char *link = lxcf_path_join(r, "var/lib/rpm"), *got = NULL;

    /* A joint guest of a Fedora host: var/lib/rpm links into the host's
     * /usr, which its tree does not hold. */
    lxcf_test_mkdirs(r, "var/lib");
    lxcf_test_mkdirs(r, "usr/lib/sysimage/rpm");
    assert_int_equal(symlink("../../usr/lib/sysimage/rpm", link), 0);
    lxcf_test_write_file(r, "usr/lib/sysimage/rpm/rpmdb.sqlite", "x");
    got = lxcf_pkgdb_rpm_dbpath(r);
    assert_string_equal(got, "/usr/lib/sysimage/rpm");
    lxcf_test_rmrf(r);
}

static void test_which_database_a_command_changes(void **state)
{
    _cleanup_free_ char *deb = lxcf_test_subtree(), *rpm = lxcf_test_subtree();

    lxcf_test_write_file(deb, "var/lib/dpkg/status", "");
    lxcf_test_mkdirs(rpm, "var/lib/rpm");
    assert_int_equal(lxcf_pkgdb_kind_for("dnf", deb), LXCF_PKGDB_RPM);
    assert_int_equal(lxcf_pkgdb_kind_for("/usr/bin/yum", deb), LXCF_PKGDB_RPM);
    assert_int_equal(lxcf_pkgdb_kind_for("rpm", deb), LXCF_PKGDB_RPM);
    assert_int_equal(lxcf_pkgdb_kind_for("apt-get", rpm), LXCF_PKGDB_DPKG);
    assert_int_equal(lxcf_pkgdb_kind_for("dpkg", rpm), LXCF_PKGDB_DPKG);
    assert_int_equal(lxcf_pkgdb_kind_for("sh", deb), LXCF_PKGDB_DPKG);
    assert_int_equal(lxcf_pkgdb_kind_for("sh", rpm), LXCF_PKGDB_RPM);
    lxcf_test_rmrf(deb);
    lxcf_test_rmrf(rpm);
}

static void test_rpm_query_command(void **state)
{
    _cleanup_strv_ char **q = lxcf_pkgdb_rpm_query("/opt/lxcf/g1", "/var/lib/rpm");
    _cleanup_strv_ char **h = lxcf_pkgdb_rpm_query(NULL, "/usr/lib/sysimage/rpm");

    assert_int_equal(lxcf_strv_len(q), 6);
    assert_string_equal(q[0], "rpm");
    assert_string_equal(q[1], "--root=/opt/lxcf/g1");
    assert_string_equal(q[2], "--dbpath=/var/lib/rpm");
    assert_string_equal(q[3], "-qa");
    assert_string_equal(q[5], "@lxcf %{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\\n");
    assert_string_equal(h[1], "--root=/");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_installed_packages_only),
        cmocka_unit_test(test_no_dpkg_database_is_empty_not_an_error),
        cmocka_unit_test(test_changed_names_added_removed_and_upgraded),
        cmocka_unit_test(test_rpm_query_output_parsed),
        cmocka_unit_test(test_rpm_query_malformed_line_is_an_error),
        cmocka_unit_test(test_rpm_changed_across_versions),
        cmocka_unit_test(test_rpm_dbpath_found_where_the_database_is),
        cmocka_unit_test(test_rpm_dbpath_symlink_into_usr_is_not_own),
        cmocka_unit_test(test_which_database_a_command_changes),
        cmocka_unit_test(test_rpm_query_command),
    };
    return cmocka_run_group_tests(tests, lxcf_test_base_setup, lxcf_test_base_teardown);
}

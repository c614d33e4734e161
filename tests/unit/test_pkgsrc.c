/* pkgsrc: the host's local package sources, read from apt's and dnf's own
 * configuration under a fake host root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cleanup.h"
#include "pkgsrc.h"
#include "testutil.h"
#include "util.h"

static char **find(const char *root, char **argv)
{
    char **dirs = NULL;
    lxcf_err err = LXCF_ERR_INIT;

    if (lxcf_pkgsrc_find(root, argv, &dirs, &err) < 0)
        fail_msg("%s", err.msg);
    return dirs;
}

static void assert_dirs(char **dirs, const char *want)
{
    _cleanup_free_ char *got = lxcf_xstrdup("");

    for (char **d = dirs; d && *d; d++) {
        char *s = lxcf_xasprintf("%s%s%s", got, *got ? " " : "", *d);
        free(got);
        got = s;
    }
    assert_string_equal(got, want);
}

static void test_apt_file_and_copy_sources(void **state)
{
    _cleanup_free_ char *r = lxcf_test_subtree();
    _cleanup_strv_ char **dirs = NULL;
    char *argv[] = { "apt-get", "install", "-y", "hello", NULL };

    lxcf_test_write_file(r, "etc/apt/sources.list",
                         "# deb file:/srv/commented ./\n"
                         "deb http://deb.example/debian bookworm main\n"
                         "deb [trusted=yes] file:/srv/debrepo ./\n"
                         "deb [ arch=amd64 trusted=yes ] file:///media/dvd/ bookworm main\n");
    lxcf_test_write_file(r, "etc/apt/sources.list.d/local.list", "deb-src copy:/srv/src ./\n");
    lxcf_test_write_file(r, "etc/apt/sources.list.d/nfs.sources",
                         "Types: deb\nURIs: file:/mnt/mirror http://x.example/\nSuites: ./\n\n"
                         "Types: deb\nURIs: file:/mnt/off\nEnabled: no\nSuites: ./\n");
    lxcf_test_mkdirs(r, "srv/debrepo");
    lxcf_test_mkdirs(r, "media/dvd");
    lxcf_test_mkdirs(r, "srv/src");
    lxcf_test_mkdirs(r, "mnt/mirror");
    dirs = find(r, argv);
    assert_dirs(dirs, "/srv/debrepo /media/dvd /srv/src /mnt/mirror");
    lxcf_test_rmrf(r);
}

static void test_dnf_and_yum_repo_files(void **state)
{
    _cleanup_free_ char *r = lxcf_test_subtree();
    _cleanup_strv_ char **dirs = NULL, **yum = NULL;
    char *argv[] = { "dnf", "-y", "install", "hello", NULL };
    char *argv_yum[] = { "/usr/bin/yum", "-y", "update", NULL };

    lxcf_test_write_file(r, "etc/yum.repos.d/local.repo",
                         "[local]\nname=Local\nbaseurl=file:///mnt/rpmrepo\nenabled=1\n\n"
                         "[off]\nbaseurl=file:///mnt/gone\nenabled=0\n\n"
                         "[multi]\nbaseurl=http://mirror.example/x\n   file:///srv/rpms/\n"
                         "gpgcheck=0\n");
    lxcf_test_write_file(r, "etc/yum.repos.d/notes.txt", "[x]\nbaseurl=file:///nowhere\n");
    lxcf_test_mkdirs(r, "mnt/rpmrepo");
    lxcf_test_mkdirs(r, "srv/rpms");
    dirs = find(r, argv);
    assert_dirs(dirs, "/mnt/rpmrepo /srv/rpms");
    yum = find(r, argv_yum);
    assert_dirs(yum, "/mnt/rpmrepo /srv/rpms");
    lxcf_test_rmrf(r);
}

static void test_dnf_command_line_sources(void **state)
{
    _cleanup_free_ char *r = lxcf_test_subtree();
    _cleanup_strv_ char **dirs = NULL;
    char *argv[] = { "dnf", "--repofrompath=extra,/srv/extra", "--setopt=reposdir=/opt/repos",
                     "-y", "install", "x", NULL };

    lxcf_test_write_file(r, "etc/yum.repos.d/ignored.repo", "[i]\nbaseurl=file:///nowhere\n");
    lxcf_test_write_file(r, "opt/repos/a.repo", "[a]\nbaseurl=file:///srv/a\n");
    lxcf_test_mkdirs(r, "srv/extra");
    lxcf_test_mkdirs(r, "srv/a");
    dirs = find(r, argv);
    /* reposdir replaces the default directories. */
    assert_dirs(dirs, "/srv/extra /srv/a");
    lxcf_test_rmrf(r);
}

static void test_nested_sources_fold_into_the_outer_one(void **state)
{
    _cleanup_free_ char *r = lxcf_test_subtree();
    _cleanup_strv_ char **dirs = NULL;
    char *argv[] = { "apt", "upgrade", NULL };

    lxcf_test_write_file(r, "etc/apt/sources.list",
                         "deb file:/srv/repo/main ./\ndeb file:/srv/other ./\ndeb file:/srv/repo/y ./\n"
                         "deb file:/srv/repo ./\ndeb file:/srv/repo/x ./\n");
    lxcf_test_mkdirs(r, "srv/repo/main");
    lxcf_test_mkdirs(r, "srv/repo/x");
    lxcf_test_mkdirs(r, "srv/repo/y");
    lxcf_test_mkdirs(r, "srv/other");
    dirs = find(r, argv);
    assert_dirs(dirs, "/srv/other /srv/repo");
    lxcf_test_rmrf(r);
}

static void test_other_tools_and_command_line_directories(void **state)
{
    _cleanup_free_ char *r = lxcf_test_subtree();
    _cleanup_strv_ char **dirs = NULL;
    char *argv[] = { "dpkg", "-R", "--install", "/srv/debs", "/srv/file.deb", NULL };

    /* dpkg reads no sources.list: only the directory it is given. */
    lxcf_test_write_file(r, "etc/apt/sources.list", "deb file:/srv/missing ./\n");
    lxcf_test_mkdirs(r, "srv/debs");
    lxcf_test_write_file(r, "srv/file.deb", "x");
    dirs = find(r, argv);
    assert_dirs(dirs, "/srv/debs");
    lxcf_test_rmrf(r);
}

static void test_missing_or_misplaced_sources_are_errors(void **state)
{
    _cleanup_free_ char *r = lxcf_test_subtree();
    char *argv[] = { "apt-get", "update", NULL };
    struct {
        const char *line, *msg;
    } bad[] = {
        { "deb file:/srv/missing ./\n", "/etc/apt/sources.list line 1: local package source /srv/missing: No such file" },
        { "deb file:/usr/share/repo ./\n", "lies under /usr" },
        { "deb file:/tmp/repo ./\n", "lies under /tmp" },
        { "deb file:/srv/../etc ./\n", "not an absolute path without '..'" },
        { "deb file:/srv/afile ./\n", "is not a directory" },
    };

    lxcf_test_mkdirs(r, "usr/share/repo");
    lxcf_test_mkdirs(r, "tmp/repo");
    lxcf_test_write_file(r, "srv/afile", "x");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char **dirs = NULL;
        lxcf_err err = LXCF_ERR_INIT;

        lxcf_test_write_file(r, "etc/apt/sources.list", bad[i].line);
        assert_int_equal(lxcf_pkgsrc_find(r, argv, &dirs, &err), -1);
        assert_int_equal(err.code, LXCF_EXIT_USAGE);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("'%s': '%s' lacks '%s'", bad[i].line, err.msg, bad[i].msg);
        assert_null(dirs);
    }
    lxcf_test_rmrf(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apt_file_and_copy_sources),
        cmocka_unit_test(test_dnf_and_yum_repo_files),
        cmocka_unit_test(test_dnf_command_line_sources),
        cmocka_unit_test(test_nested_sources_fold_into_the_outer_one),
        cmocka_unit_test(test_other_tools_and_command_line_directories),
        cmocka_unit_test(test_missing_or_misplaced_sources_are_errors),
    };
    return cmocka_run_group_tests(tests, lxcf_test_base_setup, lxcf_test_base_teardown);
}

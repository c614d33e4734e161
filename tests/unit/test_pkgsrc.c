/* pkgsrc: the host's local package sources, read from apt's and dnf's own
 * configuration under a fake host root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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

    if (lxcf_pkgsrc_find(root, argv, &dirs, NULL, &err) < 0)
        fail_msg("%s", err.msg);
    return dirs;
}

/* Does CMD fetch from a source that is not a local directory? */
static bool remote(const char *root, char **argv)
{
    _cleanup_strv_ char **dirs = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    bool r = true;

    if (lxcf_pkgsrc_find(root, argv, &dirs, &r, &err) < 0)
        fail_msg("%s", err.msg);
    return r;
}

/* The words of V (directories or arguments), one space between, are WANT. */
static void assert_words(char **v, const char *want)
{
    _cleanup_free_ char *got = lxcf_xstrdup("");

    for (char **w = v; w && *w; w++) {
        char *s = lxcf_xasprintf("%s%s%s", got, *got ? " " : "", *w);
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
    assert_words(dirs, "/srv/debrepo /media/dvd /srv/src /mnt/mirror");
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
    assert_words(dirs, "/mnt/rpmrepo /srv/rpms");
    yum = find(r, argv_yum);
    assert_words(yum, "/mnt/rpmrepo /srv/rpms");
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
    assert_words(dirs, "/srv/extra /srv/a");
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
    assert_words(dirs, "/srv/other /srv/repo");
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
    assert_words(dirs, "/srv/debs");
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
        assert_int_equal(lxcf_pkgsrc_find(r, argv, &dirs, NULL, &err), -1);
        assert_int_equal(err.code, LXCF_EXIT_USAGE);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("'%s': '%s' lacks '%s'", bad[i].line, err.msg, bad[i].msg);
        assert_null(dirs);
    }
    lxcf_test_rmrf(r);
}

static void test_remote_sources_apt(void **state)
{
    _cleanup_free_ char *r = lxcf_test_subtree();
    char *argv[] = { "apt-get", "install", "-y", "hello", NULL };

    lxcf_test_mkdirs(r, "srv/debrepo");
    /* Only local sources, a commented and a source-only online one. */
    lxcf_test_write_file(r, "etc/apt/sources.list",
                         "deb [trusted=yes] file:/srv/debrepo ./\n"
                         "# deb http://deb.example/debian bookworm main\n"
                         "deb-src http://deb.example/debian bookworm main\n");
    assert_false(remote(r, argv));
    lxcf_test_write_file(r, "etc/apt/sources.list.d/off.sources",
                         "Types: deb\nURIs: http://off.example/\nSuites: x\nEnabled: no\n\n"
                         "Types: deb-src\nURIs: https://src.example/\nSuites: x\n");
    assert_false(remote(r, argv));
    lxcf_test_write_file(r, "etc/apt/sources.list.d/on.sources",
                         "Types: deb deb-src\nURIs: https://on.example/\nSuites: x\n");
    assert_true(remote(r, argv));
    lxcf_test_write_file(r, "etc/apt/sources.list.d/on.sources", "");
    lxcf_test_write_file(r, "etc/apt/sources.list.d/mirror.list",
                         "deb [arch=amd64] http://deb.example/debian bookworm main\n");
    assert_true(remote(r, argv));
    lxcf_test_rmrf(r);
}

static void test_remote_sources_dnf(void **state)
{
    _cleanup_free_ char *r = lxcf_test_subtree();
    char *argv[] = { "dnf", "-y", "install", "hello", NULL };
    char *enable[] = { "dnf", "--enablerepo=web", "-y", "install", "hello", NULL };
    char *path_http[] = { "dnf", "--repofrompath=x,https://r.example/x", "install", "h", NULL };

    lxcf_test_mkdirs(r, "mnt/rpmrepo");
    lxcf_test_write_file(r, "etc/yum.repos.d/local.repo",
                         "[local]\nbaseurl=file:///mnt/rpmrepo\n\n"
                         "[web]\nbaseurl=https://web.example/\nenabled=0\n");
    assert_false(remote(r, argv));
    assert_true(remote(r, enable));
    assert_true(remote(r, path_http));
    lxcf_test_write_file(r, "etc/yum.repos.d/fedora.repo",
                         "[fedora]\nmetalink=https://mirrors.example/metalink?repo=x\n");
    assert_true(remote(r, argv));
    lxcf_test_rmrf(r);
}

static void test_which_commands_download_first(void **state)
{
    struct {
        char *argv[8];
        lxcf_pkgsrc_tool want;
    } t[] = {
        { { "apt-get", "install", "-y", "hello" }, LXCF_PKGSRC_APT },
        { { "apt-get", "-o", "Debug::X=1", "-y", "upgrade" }, LXCF_PKGSRC_APT },
        { { "/usr/bin/apt", "full-upgrade", "-y" }, LXCF_PKGSRC_APT },
        { { "apt-get", "dist-upgrade" }, LXCF_PKGSRC_APT },
        { { "apt-get", "-t", "install", "update" }, LXCF_PKGSRC_NONE },
        { { "apt-get", "update" }, LXCF_PKGSRC_NONE },
        { { "apt-get", "remove", "-y", "hello" }, LXCF_PKGSRC_NONE },
        { { "apt-get", "-s", "install", "hello" }, LXCF_PKGSRC_NONE },
        { { "apt-get", "install", "--download-only", "hello" }, LXCF_PKGSRC_NONE },
        { { "aptitude", "install", "hello" }, LXCF_PKGSRC_NONE },
        { { "dpkg", "-i", "x.deb" }, LXCF_PKGSRC_NONE },
        { { "dnf", "-y", "install", "hello" }, LXCF_PKGSRC_DNF },
        { { "yum", "--setopt", "x=1", "-y", "update" }, LXCF_PKGSRC_DNF },
        { { "dnf", "--refresh", "upgrade", "-y" }, LXCF_PKGSRC_DNF },
        { { "dnf", "-y", "downgrade", "hello" }, LXCF_PKGSRC_DNF },
        { { "dnf", "remove", "hello" }, LXCF_PKGSRC_NONE },
        { { "dnf", "-C", "install", "hello" }, LXCF_PKGSRC_NONE },
        { { "dnf", "makecache" }, LXCF_PKGSRC_NONE },
        { { "rpm", "-Uvh", "x.rpm" }, LXCF_PKGSRC_NONE },
    };

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (lxcf_pkgsrc_fetcher(t[i].argv) != t[i].want)
            fail_msg("%s %s: got %d, want %d", t[i].argv[0], t[i].argv[1],
                     lxcf_pkgsrc_fetcher(t[i].argv), t[i].want);
    assert_int_equal(lxcf_pkgsrc_fetcher(NULL), LXCF_PKGSRC_NONE);
}

static void test_download_and_offline_commands(void **state)
{
    char *apt[] = { "apt-get", "install", "-y", "hello", NULL };
    char *dnf[] = { "yum", "-y", "--refresh", "update", "hello", NULL };
    char *other[] = { "apt-get", "update", NULL };
    _cleanup_strv_ char **a1 = lxcf_pkgsrc_download_argv(apt, "/opt/lxcf/.d");
    _cleanup_strv_ char **a2 = lxcf_pkgsrc_offline_argv(apt, "/opt/lxcf/.d", true);
    _cleanup_strv_ char **a3 = lxcf_pkgsrc_offline_argv(apt, "/opt/lxcf/.d", false);
    _cleanup_strv_ char **d1 = lxcf_pkgsrc_download_argv(dnf, "/opt/lxcf/.d");
    _cleanup_strv_ char **d2 = lxcf_pkgsrc_offline_argv(dnf, "/opt/lxcf/.d", true);

    assert_words(a1, "apt-get --download-only -o Dir::Cache::archives=/opt/lxcf/.d/ install -y hello");
    assert_words(a2, "apt-get -o Dir::Cache::archives=/opt/lxcf/.d/ --no-download install -y hello");
    /* With a local source too: apt's --no-download would refuse file: packages. */
    assert_words(a3, "apt-get -o Dir::Cache::archives=/opt/lxcf/.d/ install -y hello");
    assert_words(d1, "yum --downloadonly --setopt=cachedir=/opt/lxcf/.d -y --refresh update hello");
    assert_words(d2, "yum --setopt=cachedir=/opt/lxcf/.d -C -y --refresh update hello");
    assert_null(lxcf_pkgsrc_download_argv(other, "/d"));
    assert_null(lxcf_pkgsrc_offline_argv(other, "/d", true));
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
        cmocka_unit_test(test_remote_sources_apt),
        cmocka_unit_test(test_remote_sources_dnf),
        cmocka_unit_test(test_which_commands_download_first),
        cmocka_unit_test(test_download_and_offline_commands),
    };
    return cmocka_run_group_tests(tests, lxcf_test_base_setup, lxcf_test_base_teardown);
}

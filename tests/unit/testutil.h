/* Shared scaffolding for the cmocka unit tests: temp trees under /var/tmp
 * and the files in them, golden files, and running a helper program.
 * Every helper fails the running test itself when the machine refuses, so
 * a test body only asserts what its name says.  Nothing here goes through
 * a shell: a path with a quote in it must not become a command. */
#ifndef LXCF_TESTUTIL_H
#define LXCF_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <libvirt/libvirt.h>

struct lxcf_container;

char *lxcf_test_mkdtemp(void);
void lxcf_test_rmrf(const char *dir);
char *lxcf_test_path(const char *root, const char *rel);
void lxcf_test_mkdirs(const char *root, const char *rel);
void lxcf_test_write_file(const char *root, const char *rel, const char *text);
char *lxcf_test_read_file(const char *root, const char *rel);
void lxcf_test_symlink(const char *target, const char *root, const char *rel);
/* Remove the file (not a directory) ROOT/REL, which must be there. */
void lxcf_test_unlink(const char *root, const char *rel);
bool lxcf_test_exists(const char *root, const char *rel);
struct stat lxcf_test_lstat(const char *root, const char *rel);
char *lxcf_test_readlink(const char *root, const char *rel);
/* ROOT/REL is a directory with nothing in it. */
bool lxcf_test_dir_empty(const char *root, const char *rel);
/* Fail unless trees A and B hold the same names, each of the same type
 * and mode, regular files with the same bytes and symlinks with the same
 * target (symlinks are never followed). */
void lxcf_test_assert_same_tree(const char *a, const char *b);
/* Every entry under DIR, one line each in name order (path, type, mode,
 * owner, then the link target or the file's bytes): two snapshots are
 * equal exactly when nothing in the tree changed. */
char *lxcf_test_tree_snapshot(const char *dir);
int lxcf_test_in_mountns(int (*fn)(void *), void *arg);
/* For the code that must stop at a mount point: in lxcf_test_in_mountns,
 * bind-mount D/FROM on D/ONTO (mount(2) FLAGS besides MS_BIND), then
 * return FN(D); 1 when the mount fails, so FN's own codes start at 2. */
int lxcf_test_in_mountns_bound(const char *d, const char *from, const char *onto, unsigned long flags,
                               int (*fn)(const char *d));
/* Define C as a domain of CONN (libvirt's test driver), from the XML lxcf
 * builds for it. */
void lxcf_test_define(virConnectPtr conn, const struct lxcf_container *c);
/* Fork a child that runs FN(ARG, FD), FD the write end of a pipe, and
 * exits with what FN returns; read LEN bytes from the pipe into BUF (the
 * test fails when the child sends fewer) and return the child's pid: it
 * may still run, lxcf_test_reap waits for it. */
pid_t lxcf_test_fork_reporting(int (*fn)(void *arg, int fd), void *arg, void *buf, size_t len);
/* Wait for PID, failing the test unless it exited with WANT_STATUS. */
void lxcf_test_reap(pid_t pid, int want_status);

/* Golden files, the one switch for all of them: ACTUAL must equal the file
 * at PATH byte for byte; with LXCF_REGENERATE=1 in the environment the
 * file is rewritten from ACTUAL instead (review the diff, then commit). */
#define LXCF_TEST_REGENERATE_ENV "LXCF_REGENERATE"
void lxcf_test_golden(const char *path, const char *actual);

/* NAME is an executable somewhere in $PATH. */
bool lxcf_test_have_program(const char *name);
/* Skip the running test, saying why, when NAME is not installed (PACKAGE
 * is what provides it): a skip is always visible, never silent. */
void lxcf_test_need_program(const char *name, const char *package);
/* Run ARGV (searched in $PATH) and return its exit status (128+signal when
 * killed); its stdout and stderr together in *OUTPUT when OUTPUT is not
 * NULL (the caller frees it). */
int lxcf_test_run(char *const *argv, char **output);

/* One base dir per group run, removed by the group teardown, so a failed
 * assertion (which skips the test's own clean-up) still leaves nothing. */
extern char *lxcf_test_base;
int lxcf_test_base_setup(void **state);
int lxcf_test_base_teardown(void **state);
char *lxcf_test_subtree(void);

#endif

/* Shared scaffolding for the cmocka unit tests: temp trees under /var/tmp
 * and the files in them.  Every helper fails the running test itself when
 * the machine refuses, so a test body only asserts what its name says. */
#ifndef LXCF_TESTUTIL_H
#define LXCF_TESTUTIL_H

#include <stdbool.h>
#include <sys/stat.h>

char *lxcf_test_mkdtemp(void);
void lxcf_test_rmrf(const char *dir);
char *lxcf_test_path(const char *root, const char *rel);
void lxcf_test_mkdirs(const char *root, const char *rel);
void lxcf_test_write_file(const char *root, const char *rel, const char *text);
char *lxcf_test_read_file(const char *root, const char *rel);
void lxcf_test_symlink(const char *target, const char *root, const char *rel);
bool lxcf_test_exists(const char *root, const char *rel);
struct stat lxcf_test_lstat(const char *root, const char *rel);
char *lxcf_test_readlink(const char *root, const char *rel);
int lxcf_test_in_mountns(int (*fn)(void *), void *arg);

/* One base dir per group run, removed by the group teardown, so a failed
 * assertion (which skips the test's own clean-up) still leaves nothing. */
extern char *lxcf_test_base;
int lxcf_test_base_setup(void **state);
int lxcf_test_base_teardown(void **state);
char *lxcf_test_subtree(void);

#endif

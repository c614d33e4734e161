/* The corpus runner of the fuzz targets in ordinary (non-fuzzer) builds:
 * feed every file of the directories or files given through
 * LLVMFuzzerTestOneInput once, so that the seeds and every crash input
 * saved as a regression file run with the unit tests (and their sanitizers)
 * on any compiler. */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "fuzz.h"
#include "util.h"

static int lxcf_fuzz_run_file(const char *path)
{
    _cleanup_free_ char *buf = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    size_t len;

    if (lxcf_read_file(path, &buf, &len, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    printf("%s\n", path);
    fflush(stdout);
    /* A copy of exactly LEN bytes, so that ASan sees reads past the end. */
    _cleanup_free_ uint8_t *copy = lxcf_xmalloc(len ? len : 1);
    memcpy(copy, buf, len);
    LLVMFuzzerTestOneInput(copy, len);
    return 0;
}

static int lxcf_fuzz_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int lxcf_fuzz_run_dir(const char *dir, unsigned *count)
{
    _cleanup_closedir_ DIR *d = opendir(dir);
    _cleanup_strv_ char **names = NULL;
    struct dirent *de;

    if (!d) {
        fprintf(stderr, "cannot open %s: %s\n", dir, strerror(errno));
        return -1;
    }
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            lxcf_strv_push(&names, lxcf_path_join(dir, de->d_name));
    if (!names)
        return 0;
    qsort(names, lxcf_strv_len(names), sizeof(char *), lxcf_fuzz_name_cmp);
    for (char **p = names; *p; p++) {
        if (lxcf_fuzz_run_file(*p) < 0)
            return -1;
        (*count)++;
    }
    return 0;
}

int main(int argc, char **argv)
{
    unsigned count = 0;

    for (int i = 1; i < argc; i++) {
        struct stat st;
        int r;

        if (stat(argv[i], &st) < 0) {
            fprintf(stderr, "cannot stat %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        if (S_ISDIR(st.st_mode)) {
            r = lxcf_fuzz_run_dir(argv[i], &count);
        } else {
            r = lxcf_fuzz_run_file(argv[i]);
            count++;
        }
        if (r < 0)
            return 1;
    }
    printf("%u inputs passed\n", count);
    return count > 0 ? 0 : 1;
}

/* lxcf_config_load on arbitrary file contents (iniparser underneath).  The
 * input goes to a memfd, opened by its /proc/self/fd path, so that nothing
 * is written to disk and no temp file outlives a crash. */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "fuzz.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    _cleanup_close_ int fd = memfd_create("lxcf-fuzz-config", MFD_CLOEXEC);
    _cleanup_free_ char *path = NULL;
    lxcf_err err = LXCF_ERR_INIT;
    lxcf_config cfg;
    int r;

    LXCF_FUZZ_CHECK(fd >= 0);
    LXCF_FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
    path = lxcf_xasprintf("/proc/self/fd/%d", fd);

    lxcf_config_defaults(&cfg);
    r = lxcf_config_load(&cfg, path, true, &err);
    if (r < 0) {
        LXCF_FUZZ_CHECK(err.code == LXCF_EXIT_CONFIG);
        LXCF_FUZZ_CHECK(err.msg[0] != '\0');
    } else {
        /* What the rest of lxcf relies on after a successful load. */
        LXCF_FUZZ_CHECK(err.code == 0);
        LXCF_FUZZ_CHECK(cfg.path && strcmp(cfg.path, path) == 0);
        LXCF_FUZZ_CHECK(lxcf_streq(cfg.model, "joint") || lxcf_streq(cfg.model, "separate"));
        LXCF_FUZZ_CHECK(cfg.roots[0] == '/' && !lxcf_streq(cfg.roots, "/"));
        LXCF_FUZZ_CHECK(lxcf_name_check(cfg.net_name, NULL) == 0);
        LXCF_FUZZ_CHECK(cfg.uri[0] && cfg.net_bridge[0] && cfg.net_pool_start[0] &&
                        cfg.net_pool_end[0]);
        LXCF_FUZZ_CHECK(strchr(cfg.net_address, '/') != NULL);
        LXCF_FUZZ_CHECK(cfg.memory_mib >= 16 && cfg.vcpus >= 1 && cfg.vcpus <= 4096);
        LXCF_FUZZ_CHECK(cfg.stop_timeout >= 1 && cfg.stop_timeout <= 3600);
        LXCF_FUZZ_CHECK(cfg.start_timeout >= 1 && cfg.start_timeout <= 3600);
    }
    lxcf_config_clear(&cfg);
    return 0;
}

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef LXCF_INIPARSER_SUBDIR
#include <iniparser/iniparser.h>
#else
#include <iniparser.h>
#endif

#include "addr.h"
#include "cleanup.h"
#include "model.h"
#include "util.h"

typedef enum { LXCF_KEY_STR, LXCF_KEY_ULONG, LXCF_KEY_MODEL } lxcf_key_type;

/* Every key lxcf accepts; anything else in the file is a mistake we report
 * rather than silently ignore, since a typo would otherwise be invisible. */
typedef struct {
    const char *key;   /* "section:key", lower case as iniparser stores it */
    lxcf_key_type type;
    size_t offset;
    unsigned long min, max;
} lxcf_key_spec;

#define LXCF_STR(k, f) { k, LXCF_KEY_STR, offsetof(lxcf_config, f), 0, 0 }
#define LXCF_NUM(k, f, lo, hi) { k, LXCF_KEY_ULONG, offsetof(lxcf_config, f), lo, hi }

static const lxcf_key_spec lxcf_keys[] = {
    { "model:model", LXCF_KEY_MODEL, offsetof(lxcf_config, model), 0, 0 },
    LXCF_STR("paths:roots", roots),
    LXCF_STR("libvirt:uri", uri),
    LXCF_STR("network:name", net_name),
    LXCF_STR("network:bridge", net_bridge),
    LXCF_STR("network:address", net_address),
    LXCF_STR("network:pool_start", net_pool_start),
    LXCF_STR("network:pool_end", net_pool_end),
    LXCF_NUM("container:memory", memory_mib, 16, 16UL * 1024 * 1024),
    LXCF_NUM("container:vcpus", vcpus, 1, 4096),
    LXCF_NUM("container:stop_timeout", stop_timeout, 1, 3600),
    LXCF_NUM("container:start_timeout", start_timeout, 1, 3600),
};

static const char *const lxcf_sections[] = { "model", "paths", "libvirt", "network", "container" };

static void lxcf_set_str(char **slot, const char *v)
{
    free(*slot);
    *slot = lxcf_xstrdup(v);
}

void lxcf_config_defaults(lxcf_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    lxcf_set_str(&cfg->model, lxcf_model_to_string(LXCF_MODEL_JOINT));
    lxcf_set_str(&cfg->roots, "/opt/lxcf");
    lxcf_set_str(&cfg->uri, "lxc:///");
    lxcf_set_str(&cfg->net_name, "lxcfn1");
    lxcf_set_str(&cfg->net_bridge, "virbr1");
    lxcf_set_str(&cfg->net_address, "192.168.125.1/24");
    lxcf_set_str(&cfg->net_pool_start, "192.168.125.2");
    lxcf_set_str(&cfg->net_pool_end, "192.168.125.254");
    cfg->memory_mib = 1024;
    cfg->vcpus = 1;
    cfg->stop_timeout = 60;
    cfg->start_timeout = 120;
}

void lxcf_config_clear(lxcf_config *cfg)
{
    free(cfg->path);
    /* Every other string is a key's value: the table names them all. */
    for (size_t i = 0; i < sizeof(lxcf_keys) / sizeof(lxcf_keys[0]); i++)
        if (lxcf_keys[i].type != LXCF_KEY_ULONG)
            free(*(char **)((char *)cfg + lxcf_keys[i].offset));
    memset(cfg, 0, sizeof(*cfg));
}

/* iniparser reports syntax errors through a printf-like callback without a
 * user pointer; keep the first message so it can name the line. */
static char lxcf_ini_msg[512];

static int lxcf_ini_errback(const char *fmt, ...)
{
    va_list ap;
    if (lxcf_ini_msg[0])
        return 0;
    va_start(ap, fmt);
    vsnprintf(lxcf_ini_msg, sizeof(lxcf_ini_msg), fmt, ap);
    va_end(ap);
    return 0;
}

LXCF_DEFINE_CLEANUP_FUNC(lxcf_dict_freep, dictionary *, iniparser_freedict)

static const lxcf_key_spec *lxcf_key_find(const char *key)
{
    for (size_t i = 0; i < sizeof(lxcf_keys) / sizeof(lxcf_keys[0]); i++)
        if (strcmp(lxcf_keys[i].key, key) == 0)
            return &lxcf_keys[i];
    return NULL;
}

static bool lxcf_section_known(const char *sec)
{
    for (size_t i = 0; i < sizeof(lxcf_sections) / sizeof(lxcf_sections[0]); i++)
        if (strcmp(lxcf_sections[i], sec) == 0)
            return true;
    return false;
}

static int lxcf_config_apply(lxcf_config *cfg, const char *path, const lxcf_key_spec *spec,
                             const char *val, lxcf_err *err)
{
    void *slot = (char *)cfg + spec->offset;
    unsigned long n;
    lxcf_model model;

    switch (spec->type) {
    case LXCF_KEY_MODEL:
        /* Kept as the name, checked here so that a bad file fails at load
         * and not at the first sysgen. */
        if (lxcf_model_from_string(val, &model, NULL) < 0)
            return lxcf_error(err, LXCF_EXIT_CONFIG,
                              "%s: [model] model = '%s': expected " LXCF_MODEL_CHOICES, path, val);
        lxcf_set_str(slot, lxcf_model_to_string(model));
        return 0;
    case LXCF_KEY_STR:
        if (!*val)
            return lxcf_error(err, LXCF_EXIT_CONFIG, "%s: %s: empty value", path, spec->key);
        lxcf_set_str(slot, val);
        return 0;
    case LXCF_KEY_ULONG:
        if (lxcf_parse_ulong(val, spec->min, spec->max, spec->key, &n, err) < 0) {
            lxcf_error_prefix(err, "%s: ", path);
            return lxcf_error_recode(err, LXCF_EXIT_CONFIG);
        }
        *(unsigned long *)slot = n;
        return 0;
    }
    return 0;
}

static int lxcf_config_check(const lxcf_config *cfg, const char *path, lxcf_err *err)
{
    lxcf_pool pool;

    if (cfg->roots[0] != '/')
        return lxcf_error(err, LXCF_EXIT_CONFIG,
                          "%s: [paths] roots = '%s': must be an absolute path", path, cfg->roots);
    if (lxcf_streq(cfg->roots, "/"))
        return lxcf_error(err, LXCF_EXIT_CONFIG, "%s: [paths] roots must not be /", path);
    if (lxcf_name_check(cfg->net_name, err) < 0) {
        lxcf_error_prefix(err, "%s: [network] name: ", path);
        return lxcf_error_recode(err, LXCF_EXIT_CONFIG);
    }
    if (!strchr(cfg->net_address, '/'))
        return lxcf_error(err, LXCF_EXIT_CONFIG,
                          "%s: [network] address = '%s': expected ADDRESS/PREFIX", path,
                          cfg->net_address);
    /* The whole network at load time, so that a bad value is reported with
     * the file's name by every command, not only by the first sysgen. */
    if (lxcf_pool_parse(cfg->net_address, cfg->net_pool_start, cfg->net_pool_end, &pool, err) < 0) {
        lxcf_error_prefix(err, "%s: [network] ", path);
        return lxcf_error_recode(err, LXCF_EXIT_CONFIG);
    }
    return 0;
}

int lxcf_config_load(lxcf_config *cfg, const char *path, bool required, lxcf_err *err)
{
    _cleanup_(lxcf_dict_freep) dictionary *d = NULL;
    _cleanup_close_ int fd = -1;
    struct stat st;
    int nsec;

    /* iniparser treats an unreadable file like a missing one; tell them
     * apart first so the user learns which it is. */
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT && !required)
            return lxcf_config_check(cfg, "(defaults)", err);
        return lxcf_error_errno(err, LXCF_EXIT_CONFIG, errno, "cannot read %s", path);
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        return lxcf_error(err, LXCF_EXIT_CONFIG, "%s: not a regular file", path);

    lxcf_ini_msg[0] = '\0';
    iniparser_set_error_callback(lxcf_ini_errback);
    d = iniparser_load(path);
    iniparser_set_error_callback(NULL);
    if (lxcf_ini_msg[0]) {
        /* "iniparser: syntax error in FILE (LINE):\n-> TEXT" -> one line */
        for (char *p = lxcf_ini_msg; *p; p++)
            if (*p == '\n')
                *p = ' ';
        size_t l = strlen(lxcf_ini_msg);
        while (l && lxcf_ini_msg[l - 1] == ' ')
            lxcf_ini_msg[--l] = '\0';
        return lxcf_error(err, LXCF_EXIT_CONFIG, "%s",
                          lxcf_startswith(lxcf_ini_msg, "iniparser: ") ? lxcf_ini_msg + 11
                                                                       : lxcf_ini_msg);
    }
    if (!d)
        return lxcf_error(err, LXCF_EXIT_CONFIG, "%s: cannot parse the file", path);

    /* iniparser files keys before the first [section] under ":KEY" and no
     * section lists them: without this check they would be ignored. */
    for (int i = 0; i < d->size; i++)
        if (d->key[i] && d->key[i][0] == ':')
            return lxcf_error(err, LXCF_EXIT_CONFIG, "%s: key '%s' outside any [section]", path,
                              d->key[i] + 1);
    nsec = iniparser_getnsec(d);
    for (int i = 0; i < nsec; i++) {
        const char *sec = iniparser_getsecname(d, i);
        int nkeys = iniparser_getsecnkeys(d, sec);
        _cleanup_free_ const char **keys = NULL;

        if (!lxcf_section_known(sec))
            return lxcf_error(err, LXCF_EXIT_CONFIG, "%s: unknown section [%s]", path, sec);
        if (nkeys <= 0)
            continue;
        keys = lxcf_xcalloc((size_t)nkeys, sizeof(char *));
        if (!iniparser_getseckeys(d, sec, keys))
            return lxcf_error(err, LXCF_EXIT_CONFIG, "%s: cannot read section [%s]", path, sec);
        for (int k = 0; k < nkeys; k++) {
            const lxcf_key_spec *spec = lxcf_key_find(keys[k]);
            const char *val;

            if (!spec)
                return lxcf_error(err, LXCF_EXIT_CONFIG, "%s: unknown key '%s' in [%s]", path,
                                  strchr(keys[k], ':') + 1, sec);
            val = iniparser_getstring(d, keys[k], NULL);
            if (!val)
                return lxcf_error(err, LXCF_EXIT_CONFIG, "%s: %s: missing value", path, keys[k]);
            if (lxcf_config_apply(cfg, path, spec, val, err) < 0)
                return -1;
        }
    }
    if (lxcf_config_check(cfg, path, err) < 0)
        return -1;
    lxcf_set_str(&cfg->path, path);
    return 0;
}

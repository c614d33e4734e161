/* lxcf.conf: the INI file every subcommand reads (iniparser). */
#pragma once

#include <stdbool.h>

#include "err.h"

#define LXCF_CONFIG_PATH "/etc/lxcf/lxcf.conf"

typedef struct lxcf_config {
    char *path;          /* the file read, or NULL when only defaults apply */
    char *model;         /* a name of model.h ("joint", "separate"), checked at load */
    char *roots;         /* where container roots live (host path, before --root) */
    char *uri;           /* libvirt URI */
    char *net_name;      /* libvirt network */
    char *net_bridge;
    char *net_address;   /* gateway address with prefix, "192.168.125.1/24" */
    char *net_pool_start;
    char *net_pool_end;
    unsigned long memory_mib;     /* default <memory> of a new container */
    unsigned long vcpus;          /* default vcpus of a new container */
    unsigned long stop_timeout;   /* seconds a clean shutdown may take */
    unsigned long start_timeout;  /* seconds a started guest's init may take to come up */
} lxcf_config;

/* Fill CFG with the built-in defaults (the values in conf/lxcf.conf). */
void lxcf_config_defaults(lxcf_config *cfg);

/* Load PATH over the defaults.  When REQUIRED is false a missing file is not
 * an error (defaults apply).  Unknown sections or keys, bad values and
 * syntax errors are errors naming the file and the key or line. */
int lxcf_config_load(lxcf_config *cfg, const char *path, bool required, lxcf_err *err);

void lxcf_config_clear(lxcf_config *cfg);

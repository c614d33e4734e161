/* The container model: which of the host's trees a container shares.
 *
 * The one home of the concept, with no dependency beyond err.h, so that
 * the record (container.h), domxml, rootfs, update, config and the command
 * line all read and write the same type and the same names. */
#pragma once

#include "err.h"

typedef enum lxcf_model {
    LXCF_MODEL_JOINT,    /* /etc, /var copied; /usr bind-mounted read-only */
    LXCF_MODEL_SEPARATE, /* /usr copied as well */
} lxcf_model;

/* The accepted names, for messages that list them. */
#define LXCF_MODEL_CHOICES "joint or separate"

/* "joint" / "separate", or NULL for a value that is no model (a record
 * filled by hand, which domxml refuses to build). */
const char *lxcf_model_to_string(lxcf_model model);

/* The model named S.  ERR may be NULL for a caller that words the failure
 * itself (the config file, an option, the metadata); *OUT is left
 * unchanged on failure. */
int lxcf_model_from_string(const char *s, lxcf_model *out, lxcf_err *err);

#include "model.h"

#include <stddef.h>

#include "util.h"

/* Indexed by the enum: the names lxcf.conf, --model, the domain metadata
 * and every printout use. */
static const char *const lxcf_model_names[] = {
    [LXCF_MODEL_JOINT] = "joint",
    [LXCF_MODEL_SEPARATE] = "separate",
};

#define LXCF_NMODELS (sizeof(lxcf_model_names) / sizeof(lxcf_model_names[0]))

const char *lxcf_model_to_string(lxcf_model model)
{
    /* Compared as unsigned: a record may carry any int, negative ones too. */
    if ((unsigned)model >= LXCF_NMODELS)
        return NULL;
    return lxcf_model_names[model];
}

int lxcf_model_from_string(const char *s, lxcf_model *out, lxcf_err *err)
{
    for (size_t i = 0; i < LXCF_NMODELS; i++)
        if (lxcf_streq(s, lxcf_model_names[i])) {
            *out = (lxcf_model)i;
            return 0;
        }
    return lxcf_error(err, LXCF_EXIT_USAGE, "%s: unknown model (use " LXCF_MODEL_CHOICES ")",
                      s ? s : "(null)");
}

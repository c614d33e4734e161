/* Finishing a crashed update from its journal (update_journal.h): before
 * the host step every touched guest is rolled back, after it the host step
 * is run again; stopped guests are started again either way. */
#pragma once

#include <stdbool.h>

#include "container.h"
#include "ctx.h"
#include "err.h"

/* Finish or undo a crashed update (no-op without a journal); takes the
 * lock unless HAVE_LOCK. */
int lxcf_update_recover(lxcf_ctx *ctx, bool have_lock, const lxcf_report *rep, lxcf_err *err);

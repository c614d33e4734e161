/* The lxcf command: argument parsing, the subcommand table and help.
 * Handlers live in cmd_*.c and only parse, call lib/ and print. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "ctx.h"
#include "err.h"

/* Option ids: short options use their character, long-only ones these. */
enum {
    LXCF_OPT_ROOT = 1000,
    LXCF_OPT_CONFIG,
    LXCF_OPT_JSON,
    LXCF_OPT_NO_START,
    LXCF_OPT_NO_WAIT,
    LXCF_OPT_MODEL,
    LXCF_OPT_DRY_RUN,
    LXCF_OPT_ONLY,
    LXCF_OPT_TO,
    LXCF_OPT_JOBS,
    LXCF_OPT_TIMEOUT,
    LXCF_OPT_RECOVER,
    LXCF_OPT_FORCE,
    LXCF_OPT_DISABLE,
    LXCF_OPT_ALL,
    LXCF_OPT_MAN,
    LXCF_OPT_CONNECT = 'c',
    LXCF_OPT_HELP = 'h',
    LXCF_OPT_QUIET = 'q',
};

typedef struct lxcf_cli lxcf_cli;
typedef int (*lxcf_cmd_fn)(lxcf_cli *cli, lxcf_err *err);

typedef struct lxcf_cmd {
    const char *name;
    const char *group;     /* heading in `lxcf help` */
    const char *args;      /* usage after "lxcf NAME [OPTIONS]" */
    const char *summary;   /* one line */
    const char *help;      /* paragraphs, may be NULL */
    const int *opts;       /* accepted option ids, 0-terminated, or NULL */
    int min_args, max_args;  /* positional arguments; max -1 = any */
    bool stop_at_arg;      /* options end at the first argument (update, enter) */
    unsigned need_caps;    /* LXCF_NEED_* from caps.h */
    lxcf_cmd_fn run;       /* NULL: planned, not implemented yet */
} lxcf_cmd;

struct lxcf_cli {
    const lxcf_cmd *cmd;
    /* global options */
    const char *root, *config, *uri;
    bool help;
    /* subcommand options (only those the subcommand accepts can be set) */
    bool json, no_start, no_wait, dry_run, recover, force, disable, all, quiet, man;
    const char *model;       /* a name of model.h, checked; NULL = the configured one */
    unsigned long jobs;      /* 0 = default */
    unsigned long timeout;   /* 0 = default */
    char **only;             /* --only/--to NAME, repeatable */
    /* positional arguments after the options */
    int argc;
    char **argv;
    FILE *out;               /* stdout; tests redirect it */
    lxcf_ctx ctx;
    bool ctx_ready;
};

extern const lxcf_cmd lxcf_commands[];
extern const size_t lxcf_ncommands;

const lxcf_cmd *lxcf_cli_find(const char *name);

/* Parse ARGV (argv[0] is the program) into CLI.  Returns 0, or -1 with
 * LXCF_EXIT_USAGE and a message naming the subcommand. */
int lxcf_cli_parse(lxcf_cli *cli, int argc, char **argv, lxcf_err *err);
void lxcf_cli_clear(lxcf_cli *cli);

/* Load the configuration and the --root prefix (once). */
int lxcf_cli_ctx(lxcf_cli *cli, lxcf_err *err);
/* ... and connect to libvirt. */
int lxcf_cli_connect(lxcf_cli *cli, lxcf_err *err);

void lxcf_cli_usage(FILE *f, const lxcf_cmd *cmd);
void lxcf_cli_help_all(FILE *f);
void lxcf_cli_man(FILE *f);

/* Run a parsed command line; returns the process exit status. */
int lxcf_cli_run(lxcf_cli *cli);
int lxcf_cli_main(int argc, char **argv);

/* Handlers, one per subcommand (cmd_*.c). */
int lxcf_cmd_help(lxcf_cli *cli, lxcf_err *err);
int lxcf_cmd_version(lxcf_cli *cli, lxcf_err *err);
/* sysgen, erase, start, stop, restart and their -n forms: the subcommand
 * names the step. */
int lxcf_cmd_each(lxcf_cli *cli, lxcf_err *err);
int lxcf_cmd_clone(lxcf_cli *cli, lxcf_err *err);
int lxcf_cmd_sysstart(lxcf_cli *cli, lxcf_err *err);
int lxcf_cmd_list(lxcf_cli *cli, lxcf_err *err);
int lxcf_cmd_console(lxcf_cli *cli, lxcf_err *err);
int lxcf_cmd_enter(lxcf_cli *cli, lxcf_err *err);
int lxcf_cmd_show(lxcf_cli *cli, lxcf_err *err);
int lxcf_cmd_check(lxcf_cli *cli, lxcf_err *err);
/* The limits (cpurate, memlimit, blkio_r, ...): the subcommand names the kind. */
int lxcf_cmd_resource(lxcf_cli *cli, lxcf_err *err);
int lxcf_cmd_update(lxcf_cli *cli, lxcf_err *err);
int lxcf_cmd_deploy(lxcf_cli *cli, lxcf_err *err);
int lxcf_cmd_net(lxcf_cli *cli, lxcf_err *err);

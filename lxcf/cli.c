#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "cleanup.h"
#include "lxcf-build.h"
#include "model.h"
#include "util.h"

typedef struct {
    int id;
    const char *name;
    int has_arg;
    const char *arg;
    const char *help;
} lxcf_opt_spec;

static const lxcf_opt_spec lxcf_global_opts[] = {
    { LXCF_OPT_HELP, "help", no_argument, NULL, "show this help" },
    { LXCF_OPT_CONFIG, "config", required_argument, "FILE",
      "read FILE instead of ROOT/etc/lxcf/lxcf.conf" },
    { LXCF_OPT_CONNECT, "connect", required_argument, "URI", "libvirt URI (default lxc:///)" },
    { LXCF_OPT_ROOT, "root", required_argument, "DIR",
      "treat DIR as the host's /: every host path lxcf reads or writes lives under it" },
    { LXCF_OPT_QUIET, "quiet", no_argument, NULL, "print only errors and results" },
};

static const lxcf_opt_spec lxcf_cmd_opts[] = {
    { LXCF_OPT_JSON, "json", no_argument, NULL, "print JSON for scripts" },
    { LXCF_OPT_NO_START, "no-start", no_argument, NULL, "define the container but do not start it" },
    { LXCF_OPT_NO_WAIT, "no-wait", no_argument, NULL,
      "do not wait for the guest's init to come up after the start" },
    { LXCF_OPT_MODEL, "model", required_argument, "joint|separate",
      "container model (default: [model] model in lxcf.conf)" },
    { LXCF_OPT_DRY_RUN, "dry-run", no_argument, NULL, "print the plan, change nothing" },
    { LXCF_OPT_ONLY, "only", required_argument, "NAME", "only this guest (repeatable)" },
    { LXCF_OPT_TO, "to", required_argument, "NAME", "only this guest (repeatable)" },
    { LXCF_OPT_JOBS, "jobs", required_argument, "N", "containers worked on at once (default: the CPUs; 2 per CPU for update, 4 for stop and erase)" },
    { LXCF_OPT_TIMEOUT, "timeout", required_argument, "SECONDS", "how long a clean shutdown may take" },
    { LXCF_OPT_RECOVER, "recover", no_argument, NULL, "finish or undo an interrupted update" },
    { LXCF_OPT_FORCE, "force", no_argument, NULL, "do it even if the container is running" },
    { LXCF_OPT_DISABLE, "disable", no_argument, NULL, "disable instead of enable" },
    { LXCF_OPT_ALL, "all", no_argument, NULL, "every container" },
    { LXCF_OPT_MAN, "man", no_argument, NULL, "print the manual page (roff)" },
};

#define LXCF_NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const lxcf_opt_spec *lxcf_opt_find(int id)
{
    for (size_t i = 0; i < LXCF_NELEM(lxcf_global_opts); i++)
        if (lxcf_global_opts[i].id == id)
            return &lxcf_global_opts[i];
    for (size_t i = 0; i < LXCF_NELEM(lxcf_cmd_opts); i++)
        if (lxcf_cmd_opts[i].id == id)
            return &lxcf_cmd_opts[i];
    return NULL;
}

/* -d is the traditional short form of sysstart's --disable. */
static int lxcf_short_of(int id)
{
    switch (id) {
    case LXCF_OPT_HELP: case LXCF_OPT_CONNECT: case LXCF_OPT_QUIET: return id;
    case LXCF_OPT_DISABLE: return 'd';
    case LXCF_OPT_JOBS: return 'j';
    case LXCF_OPT_MODEL: return 'm';
    default: return 0;
    }
}

static int lxcf_opt_id_of_short(int c)
{
    switch (c) {
    case 'd': return LXCF_OPT_DISABLE;
    case 'j': return LXCF_OPT_JOBS;
    case 'm': return LXCF_OPT_MODEL;
    default: return c;
    }
}

static void lxcf_opt_add(struct option *lo, size_t *n, char *so, const lxcf_opt_spec *s)
{
    int sh = lxcf_short_of(s->id);

    lo[*n] = (struct option){ s->name, s->has_arg, NULL, s->id };
    (*n)++;
    if (sh) {
        size_t l = strlen(so);
        so[l++] = (char)sh;
        if (s->has_arg == required_argument)
            so[l++] = ':';
        so[l] = '\0';
    }
}

static int lxcf_cli_set(lxcf_cli *cli, int id, const char *arg, lxcf_err *err)
{
    unsigned long n;
    lxcf_model model;

    switch (id) {
    case LXCF_OPT_HELP: cli->help = true; break;
    case LXCF_OPT_CONFIG: cli->config = arg; break;
    case LXCF_OPT_CONNECT: cli->uri = arg; break;
    case LXCF_OPT_ROOT: cli->root = arg; break;
    case LXCF_OPT_JSON: cli->json = true; break;
    case LXCF_OPT_NO_START: cli->no_start = true; break;
    case LXCF_OPT_NO_WAIT: cli->no_wait = true; break;
    case LXCF_OPT_DRY_RUN: cli->dry_run = true; break;
    case LXCF_OPT_RECOVER: cli->recover = true; break;
    case LXCF_OPT_FORCE: cli->force = true; break;
    case LXCF_OPT_DISABLE: cli->disable = true; break;
    case LXCF_OPT_ALL: cli->all = true; break;
    case LXCF_OPT_MAN: cli->man = true; break;
    case LXCF_OPT_QUIET: cli->quiet = true; break;
    case LXCF_OPT_MODEL:
        if (lxcf_model_from_string(arg, &model, NULL) < 0)
            return lxcf_error(err, LXCF_EXIT_USAGE, "%s: --model '%s': expected " LXCF_MODEL_CHOICES,
                              cli->cmd->name, arg);
        cli->model = arg;
        break;
    case LXCF_OPT_ONLY:
    case LXCF_OPT_TO:
        if (lxcf_name_check(arg, err) < 0) {
            lxcf_error_prefix(err, "%s: ", cli->cmd->name);
            return -1;
        }
        lxcf_strv_push(&cli->only, lxcf_xstrdup(arg));
        break;
    case LXCF_OPT_JOBS:
    case LXCF_OPT_TIMEOUT:
        if (lxcf_parse_ulong(arg, 1, id == LXCF_OPT_JOBS ? 256 : 86400,
                             id == LXCF_OPT_JOBS ? "--jobs" : "--timeout", &n, err) < 0) {
            lxcf_error_prefix(err, "%s: ", cli->cmd->name);
            return -1;
        }
        if (id == LXCF_OPT_JOBS)
            cli->jobs = n;
        else
            cli->timeout = n;
        break;
    default:
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: unexpected option", cli->cmd->name);
    }
    return 0;
}

int lxcf_cli_parse(lxcf_cli *cli, int argc, char **argv, lxcf_err *err)
{
    struct option lo[LXCF_NELEM(lxcf_global_opts) + LXCF_NELEM(lxcf_cmd_opts) + 1];
    char so[64] = "";
    size_t n = 0;
    int c;

    memset(cli, 0, sizeof(*cli));
    cli->out = stdout;
    if (argc < 2) {
        cli->cmd = lxcf_cli_find("help");
        return 0;
    }
    /* `lxcf --help` and `lxcf -h` are `lxcf help`; `lxcf --version` too. */
    if (lxcf_streq(argv[1], "--help") || lxcf_streq(argv[1], "-h")) {
        cli->cmd = lxcf_cli_find("help");
        return 0;
    }
    if (lxcf_streq(argv[1], "--version")) {
        cli->cmd = lxcf_cli_find("version");
        return 0;
    }
    /* Global options may also come before the subcommand
     * (`lxcf --root DIR list`); move them behind it for getopt. */
    int first = 1;
    while (first < argc && argv[first][0] == '-') {
        const char *a = argv[first];
        bool with_value = lxcf_streq(a, "--root") || lxcf_streq(a, "--config") ||
                          lxcf_streq(a, "--connect") || lxcf_streq(a, "-c");
        bool joined = lxcf_startswith(a, "--root=") || lxcf_startswith(a, "--config=") ||
                      lxcf_startswith(a, "--connect=");
        bool flag = lxcf_streq(a, "-q") || lxcf_streq(a, "--quiet");
        if (!with_value && !joined && !flag)
            break;
        first += with_value ? 2 : 1;
    }
    if (first >= argc)
        return lxcf_error(err, LXCF_EXIT_USAGE, "missing subcommand (see 'lxcf help')");
    if (first > 1) {
        /* Rotate argv[1..first) behind the subcommand name. */
        char *cmdname = argv[first];
        memmove(&argv[2], &argv[1], (size_t)(first - 1) * sizeof(char *));
        argv[1] = cmdname;
    }
    cli->cmd = lxcf_cli_find(argv[1]);
    if (!cli->cmd)
        return lxcf_error(err, LXCF_EXIT_USAGE,
                          "unknown subcommand '%s' (see 'lxcf help')", argv[1]);

    strcpy(so, cli->cmd->stop_at_arg ? "+:" : ":");
    for (size_t i = 0; i < LXCF_NELEM(lxcf_global_opts); i++)
        lxcf_opt_add(lo, &n, so, &lxcf_global_opts[i]);
    for (const int *id = cli->cmd->opts; id && *id; id++)
        lxcf_opt_add(lo, &n, so, lxcf_opt_find(*id));
    lo[n] = (struct option){ 0 };

    /* 0, not 1: glibc then re-reads the '+' of a new optstring. */
    optind = 0;
    opterr = 0;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
        if (c == '?') {
            if (optopt)
                return lxcf_error(err, LXCF_EXIT_USAGE, "%s: unknown option '-%c' (see 'lxcf %s --help')",
                                  cli->cmd->name, optopt, cli->cmd->name);
            return lxcf_error(err, LXCF_EXIT_USAGE, "%s: unknown option '%s' (see 'lxcf %s --help')",
                              cli->cmd->name, argv[optind - 1], cli->cmd->name);
        }
        if (c == ':')
            return lxcf_error(err, LXCF_EXIT_USAGE, "%s: option '%s' needs a value",
                              cli->cmd->name, argv[optind - 1]);
        if (lxcf_cli_set(cli, lxcf_opt_id_of_short(c), optarg, err) < 0)
            return -1;
    }
    cli->argc = argc - optind;
    cli->argv = argv + optind;
    if (cli->help)
        return 0;
    if (cli->argc < cli->cmd->min_args)
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: missing argument (usage: lxcf %s %s)",
                          cli->cmd->name, cli->cmd->name, cli->cmd->args);
    if (cli->cmd->max_args >= 0 && cli->argc > cli->cmd->max_args)
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: unexpected argument '%s' (usage: lxcf %s %s)",
                          cli->cmd->name, cli->argv[cli->cmd->max_args], cli->cmd->name,
                          cli->cmd->args);
    return 0;
}

void lxcf_cli_clear(lxcf_cli *cli)
{
    lxcf_strv_free(cli->only);
    if (cli->ctx_ready)
        lxcf_ctx_clear(&cli->ctx);
    memset(cli, 0, sizeof(*cli));
}

int lxcf_cli_ctx(lxcf_cli *cli, lxcf_err *err)
{
    if (cli->ctx_ready)
        return 0;
    if (lxcf_ctx_init(&cli->ctx, cli->root, cli->config, cli->uri, err) < 0) {
        lxcf_ctx_clear(&cli->ctx);
        return -1;
    }
    cli->ctx_ready = true;
    return 0;
}

int lxcf_cli_connect(lxcf_cli *cli, lxcf_err *err)
{
    if (lxcf_cli_ctx(cli, err) < 0)
        return -1;
    return lxcf_ctx_connect(&cli->ctx, err);
}

static void lxcf_print_opt(FILE *f, const lxcf_opt_spec *s)
{
    char left[64];
    int sh = lxcf_short_of(s->id);

    snprintf(left, sizeof(left), "%c%c%c --%s%s%s", sh ? '-' : ' ', sh ? sh : ' ',
             sh ? ',' : ' ', s->name, s->arg ? " " : "", s->arg ? s->arg : "");
    fprintf(f, "  %-30s %s\n", left, s->help);
}

void lxcf_cli_usage(FILE *f, const lxcf_cmd *cmd)
{
    fprintf(f, "Usage: lxcf %s [OPTIONS]%s%s\n\n%s.\n", cmd->name, *cmd->args ? " " : "",
            cmd->args, cmd->summary);
    if (cmd->help)
        fprintf(f, "\n%s\n", cmd->help);
    if (cmd->opts) {
        fprintf(f, "\nOptions:\n");
        for (const int *id = cmd->opts; *id; id++)
            lxcf_print_opt(f, lxcf_opt_find(*id));
    }
    fprintf(f, "\nGlobal options:\n");
    for (size_t i = 0; i < LXCF_NELEM(lxcf_global_opts); i++)
        lxcf_print_opt(f, &lxcf_global_opts[i]);
    if (!cmd->run)
        fprintf(f, "\nThis subcommand is planned but not implemented in this version.\n");
}

static const char lxcf_exit_codes[] =
    "  0  success\n"
    "  1  the operation failed (for batches: at least one container failed)\n"
    "  2  bad arguments or bad input; nothing was changed\n"
    "  3  the configuration file is unreadable or wrong\n"
    "  4  missing privilege (run as root)\n"
    "  5  libvirt cannot be reached\n"
    "  6  no such container\n"
    "  7  the subcommand is not implemented in this version\n"
    "  8  another lxcf is changing the host (lock held)\n";

void lxcf_cli_help_all(FILE *f)
{
    const char *group = NULL;

    fprintf(f, "Usage: lxcf SUBCOMMAND [OPTIONS] [ARGS]\n\n"
               "Divide this host into long-lived system containers run by libvirt-LXC.\n");
    for (size_t i = 0; i < lxcf_ncommands; i++) {
        const lxcf_cmd *c = &lxcf_commands[i];
        if (!lxcf_streq(group, c->group)) {
            group = c->group;
            fprintf(f, "\n%s:\n", group);
        }
        fprintf(f, "  %-12s %s%s\n", c->name, c->summary, c->run ? "" : " (not implemented yet)");
    }
    fprintf(f, "\nGlobal options (accepted by every subcommand):\n");
    for (size_t i = 0; i < LXCF_NELEM(lxcf_global_opts); i++)
        lxcf_print_opt(f, &lxcf_global_opts[i]);
    fprintf(f, "\nExit status:\n%s\nRun 'lxcf help SUBCOMMAND' for details.\n", lxcf_exit_codes);
}

/* roff needs leading dots and backslashes escaped. */
static void lxcf_man_text(FILE *f, const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", f);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
    }
}

void lxcf_cli_man(FILE *f)
{
    const char *group = NULL;

    fprintf(f, ".TH LXCF 1 \"\" \"lxcf %s\" \"User Commands\"\n", LXCF_VERSION);
    fprintf(f, ".SH NAME\nlxcf \\- system containers cloned from the host, run by libvirt\\-LXC\n");
    fprintf(f, ".SH SYNOPSIS\n.B lxcf\n.I SUBCOMMAND\n[\\fIOPTIONS\\fR] [\\fIARGS\\fR]\n");
    fprintf(f, ".SH SUBCOMMANDS\n");
    for (size_t i = 0; i < lxcf_ncommands; i++) {
        const lxcf_cmd *c = &lxcf_commands[i];
        if (!lxcf_streq(group, c->group)) {
            group = c->group;
            fprintf(f, ".SS %s\n", group);
        }
        fprintf(f, ".TP\n.B lxcf %s", c->name);
        if (*c->args) {
            fputs(" ", f);
            lxcf_man_text(f, c->args);
        }
        fputs("\n", f);
        lxcf_man_text(f, c->summary);
        fputs(".\n", f);
        if (c->help) {
            fputs("\n", f);
            lxcf_man_text(f, c->help);
            fputs("\n", f);
        }
        for (const int *id = c->opts; id && *id; id++) {
            const lxcf_opt_spec *s = lxcf_opt_find(*id);
            fputs(".br\n\\-\\-", f);
            lxcf_man_text(f, s->name);
            if (s->arg) {
                fputs(" ", f);
                lxcf_man_text(f, s->arg);
            }
            fputs(": ", f);
            lxcf_man_text(f, s->help);
            fputs("\n", f);
        }
    }
    fprintf(f, ".SH GLOBAL OPTIONS\n");
    for (size_t i = 0; i < LXCF_NELEM(lxcf_global_opts); i++) {
        fprintf(f, ".TP\n.B \\-\\-%s", lxcf_global_opts[i].name);
        if (lxcf_global_opts[i].arg)
            fprintf(f, " %s", lxcf_global_opts[i].arg);
        fputs("\n", f);
        lxcf_man_text(f, lxcf_global_opts[i].help);
        fputs("\n", f);
    }
    fprintf(f, ".SH FILES\n.TP\n/etc/lxcf/lxcf.conf\nconfiguration (see the comments in it)\n");
    fprintf(f, ".SH EXIT STATUS\n.nf\n%s.fi\n", lxcf_exit_codes);
    fprintf(f, ".SH SEE ALSO\n.BR virsh (1)\n");
}

int lxcf_cmd_help(lxcf_cli *cli, lxcf_err *err)
{
    const lxcf_cmd *c;

    if (cli->man) {
        lxcf_cli_man(cli->out);
        return 0;
    }
    if (cli->argc == 0) {
        lxcf_cli_help_all(cli->out);
        return 0;
    }
    c = lxcf_cli_find(cli->argv[0]);
    if (!c)
        return lxcf_error(err, LXCF_EXIT_USAGE, "help: unknown subcommand '%s'", cli->argv[0]);
    lxcf_cli_usage(cli->out, c);
    return 0;
}

int lxcf_cmd_version(lxcf_cli *cli, lxcf_err *err)
{
    fprintf(cli->out, "lxcf %s\n", LXCF_VERSION);
    return 0;
}

int lxcf_cli_run(lxcf_cli *cli)
{
    lxcf_err err = LXCF_ERR_INIT;

    if (cli->help) {
        lxcf_cli_usage(cli->out, cli->cmd);
        return LXCF_EXIT_OK;
    }
    if (!cli->cmd->run)
        lxcf_error(&err, LXCF_EXIT_UNIMPL,
                   "%s: not implemented in this version (planned; see 'lxcf help')",
                   cli->cmd->name);
    else if (lxcf_caps_check(cli->cmd->need_caps, cli->cmd->name, &err) == 0)
        cli->cmd->run(cli, &err);
    if (lxcf_error_isset(&err)) {
        fflush(cli->out);
        if (err.msg[0])
            fprintf(stderr, "lxcf: %s\n", err.msg);
        return err.code;
    }
    return LXCF_EXIT_OK;
}

int lxcf_cli_main(int argc, char **argv)
{
    lxcf_cli cli;
    lxcf_err err = LXCF_ERR_INIT;
    int rc;

    if (lxcf_cli_parse(&cli, argc, argv, &err) < 0) {
        fprintf(stderr, "lxcf: %s\n", err.msg);
        lxcf_cli_clear(&cli);
        return err.code;
    }
    rc = lxcf_cli_run(&cli);
    lxcf_cli_clear(&cli);
    return rc;
}

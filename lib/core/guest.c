#include "guest.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "hosts.h"
#include "util.h"

const char *const lxcf_guest_masked_units[] = {
    "systemd-udevd.service",
    "systemd-udevd-control.socket",
    "systemd-udevd-kernel.socket",
    "systemd-udev-trigger.service",
    "systemd-udev-settle.service",
    "systemd-modules-load.service",
    "sys-kernel-config.mount",
    "sys-kernel-debug.mount",
    "sys-kernel-tracing.mount",
    "proc-sys-fs-binfmt_misc.automount",
    "systemd-remount-fs.service",
    /* it would prompt on the container's only console */
    "systemd-firstboot.service",
    "getty-static.service",
    "getty@tty1.service",
    /* the clock belongs to the host */
    "systemd-timesyncd.service",
    "chronyd.service",
    "chrony.service",
    "ntpd.service",
    "ntp.service",
    "kdump.service",
    NULL,
};

typedef struct lxcf_guest_ctx {
    const char *root;
    int rootfd;
    int usrfd; /* the guest's /usr */
    const lxcf_guest_conf *gc;
} lxcf_guest_ctx;

#define LXCF_GUEST_UNITDIR "etc/systemd/system"

static int lxcf_guest_check_addr(const char *what, const char *s, bool required, lxcf_err *err)
{
    struct in_addr a;

    if (!s)
        return required ? lxcf_error(err, LXCF_EXIT_USAGE, "%s: missing", what) : 0;
    if (inet_pton(AF_INET, s, &a) != 1)
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: not an IPv4 address: %s", what, s);
    return 0;
}

static int lxcf_guest_check_conf(const lxcf_guest_conf *gc, lxcf_err *err)
{
    if (!gc || lxcf_name_check(gc->name, err) < 0)
        return gc ? -1 : lxcf_error(err, LXCF_EXIT_USAGE, "guest configuration missing");
    if (!gc->ipv4)
        return 0;
    if (lxcf_guest_check_addr("address", gc->ipv4, true, err) < 0 ||
        lxcf_guest_check_addr("gateway", gc->gateway, false, err) < 0 ||
        lxcf_guest_check_addr("dns", gc->dns, false, err) < 0)
        return -1;
    if (gc->prefix < 1 || gc->prefix > 32)
        return lxcf_error(err, LXCF_EXIT_USAGE, "%s: prefix length %u is not in 1..32",
                          gc->ipv4, gc->prefix);
    return 0;
}

static int lxcf_guest_write(lxcf_guest_ctx *g, const char *rel, const char *text, mode_t mode,
                            lxcf_err *err)
{
    return lxcf_fs_write_beneath(g->rootfd, rel, text, strlen(text), mode, err);
}

/* 1 when REL exists in the guest (its own view: links resolved inside it). */
static int lxcf_guest_exists(int fd, const char *rel, mode_t type, lxcf_err *err)
{
    struct stat st;
    int r = lxcf_fs_stat_beneath(fd, rel, LXCF_FS_IN_ROOT, &st, err);

    if (r <= 0)
        return r;
    return !type || (st.st_mode & S_IFMT) == type;
}

/* Where the guest finds UNIT, as an absolute path inside the guest in
 * *PATH; 0 (and NULL) when it has none.  /usr/lib first (merged /usr, and
 * the joint model's host /usr), then a real /lib of a non-merged root. */
static int lxcf_guest_unit_path(lxcf_guest_ctx *g, const char *unit, char **path,
                                lxcf_err *err)
{
    _cleanup_free_ char *rel = lxcf_xasprintf("lib/systemd/system/%s", unit);
    int r = lxcf_guest_exists(g->usrfd, rel, S_IFREG, err);

    *path = NULL;
    if (r > 0)
        *path = lxcf_xasprintf("/usr/%s", rel);
    else if (r == 0 && (r = lxcf_guest_exists(g->rootfd, rel, S_IFREG, err)) > 0)
        *path = lxcf_xasprintf("/%s", rel);
    return r;
}

static int lxcf_guest_has_binary(lxcf_guest_ctx *g, const char *rel, lxcf_err *err)
{
    int r = lxcf_guest_exists(g->usrfd, rel, S_IFREG, err);

    return r != 0 ? r : lxcf_guest_exists(g->rootfd, rel, S_IFREG, err);
}

static int lxcf_guest_link(lxcf_guest_ctx *g, const char *dir, const char *name,
                           const char *target, lxcf_err *err)
{
    _cleanup_free_ char *rel = lxcf_xasprintf("%s/%s", dir, name);

    if (lxcf_fs_mkdir_p_beneath(g->rootfd, dir, 0755, err) < 0)
        return -1;
    return lxcf_fs_symlink_beneath(g->rootfd, target, rel, err);
}

/* Enable UNIT in TARGET.wants when the guest has it; 0 when it has not. */
static int lxcf_guest_enable(lxcf_guest_ctx *g, const char *unit, const char *wants,
                             lxcf_err *err)
{
    _cleanup_free_ char *path = NULL, *dir = NULL;
    int r = lxcf_guest_unit_path(g, unit, &path, err);

    if (r <= 0)
        return r;
    dir = lxcf_xasprintf(LXCF_GUEST_UNITDIR "/%s.wants", wants);
    return lxcf_guest_link(g, dir, unit, path, err) < 0 ? -1 : 1;
}

static int lxcf_guest_machine_id(lxcf_guest_ctx *g, lxcf_err *err)
{
    unsigned char id[16];
    char text[34];
    struct stat st;
    int r;

    if (getrandom(id, sizeof id, 0) != (ssize_t)sizeof id)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "cannot get random bytes");
    /* A v4 UUID, as systemd's own sd_id128_randomize makes them. */
    id[6] = (unsigned char)((id[6] & 0x0f) | 0x40);
    id[8] = (unsigned char)((id[8] & 0x3f) | 0x80);
    for (size_t i = 0; i < sizeof id; i++)
        snprintf(text + 2 * i, 3, "%02x", id[i]);
    text[32] = '\n';
    text[33] = '\0';
    if (lxcf_guest_write(g, "etc/machine-id", text, 0444, err) < 0)
        return -1;
    /* A link to /etc/machine-id follows by itself; only a copy needs writing. */
    r = lxcf_fs_stat_beneath(g->rootfd, "var/lib/dbus/machine-id", LXCF_FS_NOFOLLOW, &st, err);
    if (r < 0)
        return -1;
    if (r > 0 && S_ISREG(st.st_mode))
        return lxcf_guest_write(g, "var/lib/dbus/machine-id", text, 0444, err);
    return 0;
}

static int lxcf_guest_networkd(lxcf_guest_ctx *g, lxcf_err *err)
{
    const lxcf_guest_conf *gc = g->gc;
    const char *ns = gc->dns ? gc->dns : gc->gateway;
    _cleanup_free_ char *text = NULL, *unit = NULL;
    struct stat st;
    int r;

    text = lxcf_xasprintf("# Written by lxcf: the container's static address.\n"
                          "[Match]\nName=eth0\n\n[Network]\nAddress=%s/%u\n%s%s%s%s%s%s",
                          gc->ipv4, gc->prefix,
                          gc->gateway ? "Gateway=" : "", gc->gateway ? gc->gateway : "",
                          gc->gateway ? "\n" : "",
                          ns ? "DNS=" : "", ns ? ns : "", ns ? "\n" : "");
    if (lxcf_fs_mkdir_p_beneath(g->rootfd, "etc/systemd/network", 0755, err) < 0 ||
        lxcf_guest_write(g, "etc/systemd/network/50-lxcf-eth0.network", text, 0644, err) < 0)
        return -1;
    /* A host that masked networkd must not leave it masked in the guest. */
    r = lxcf_fs_stat_beneath(g->rootfd, LXCF_GUEST_UNITDIR "/systemd-networkd.service",
                             LXCF_FS_NOFOLLOW, &st, err);
    if (r < 0 || (r > 0 && S_ISLNK(st.st_mode) &&
                  lxcf_fs_unlink_beneath(g->rootfd, LXCF_GUEST_UNITDIR "/systemd-networkd.service",
                                         err) < 0))
        return -1;
    r = lxcf_guest_unit_path(g, "systemd-networkd.service", &unit, err);
    if (r < 0)
        return -1;
    if (r == 0)
        return lxcf_error(err, LXCF_EXIT_FAIL,
                          "%s: has systemd-networkd but not its unit file", g->root);
    if (lxcf_guest_link(g, LXCF_GUEST_UNITDIR "/multi-user.target.wants",
                        "systemd-networkd.service", unit, err) < 0 ||
        lxcf_guest_link(g, LXCF_GUEST_UNITDIR, "dbus-org.freedesktop.network1.service", unit,
                        err) < 0)
        return -1;
    return lxcf_guest_enable(g, "systemd-networkd.socket", "sockets.target", err) < 0 ? -1 : 0;
}

static int lxcf_guest_ifcfg(lxcf_guest_ctx *g, lxcf_err *err)
{
    const lxcf_guest_conf *gc = g->gc;
    const char *ns = gc->dns ? gc->dns : gc->gateway;
    _cleanup_free_ char *text = lxcf_xasprintf(
        "# Written by lxcf: the container's static address.\n"
        "DEVICE=eth0\nBOOTPROTO=none\nONBOOT=yes\nIPADDR=%s\nPREFIX=%u\n%s%s%s%s%s%s",
        gc->ipv4, gc->prefix, gc->gateway ? "GATEWAY=" : "", gc->gateway ? gc->gateway : "",
        gc->gateway ? "\n" : "", ns ? "DNS1=" : "", ns ? ns : "", ns ? "\n" : "");

    return lxcf_guest_write(g, "etc/sysconfig/network-scripts/ifcfg-eth0", text, 0644, err);
}

static int lxcf_guest_ifupdown(lxcf_guest_ctx *g, lxcf_err *err)
{
    const lxcf_guest_conf *gc = g->gc;
    _cleanup_free_ char *text = lxcf_xasprintf(
        "# Written by lxcf: the container's static address.\n"
        "auto eth0\niface eth0 inet static\n    address %s/%u\n%s%s%s",
        gc->ipv4, gc->prefix, gc->gateway ? "    gateway " : "",
        gc->gateway ? gc->gateway : "", gc->gateway ? "\n" : "");

    if (lxcf_fs_mkdir_p_beneath(g->rootfd, "etc/network/interfaces.d", 0755, err) < 0)
        return -1;
    return lxcf_guest_write(g, "etc/network/interfaces.d/lxcf-eth0", text, 0644, err);
}

static int lxcf_guest_network(lxcf_guest_ctx *g, lxcf_err *err)
{
    int networkd, r;

    if (!g->gc->ipv4)
        return 0;
    networkd = lxcf_guest_has_binary(g, "lib/systemd/systemd-networkd", err);
    if (networkd < 0)
        return -1;
    if (networkd && lxcf_guest_networkd(g, err) < 0)
        return -1;
    r = lxcf_guest_exists(g->rootfd, "etc/sysconfig/network-scripts", S_IFDIR, err);
    if (r < 0 || (r > 0 && lxcf_guest_ifcfg(g, err) < 0))
        return -1;
    if (networkd)
        return 0;
    r = lxcf_guest_exists(g->rootfd, "etc/network/interfaces", S_IFREG, err);
    if (r < 0 || (r > 0 && lxcf_guest_ifupdown(g, err) < 0))
        return -1;
    return 0;
}

static bool lxcf_guest_only_loopback_ns(const char *text)
{
    bool any = false;

    for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
        char addr[64];
        if (sscanf(l, " nameserver %63s", addr) != 1)
            continue;
        any = true;
        if (!lxcf_startswith(addr, "127.") && !lxcf_streq(addr, "::1"))
            return false;
    }
    return any;
}

/* The host's resolv.conf may be a link into the host's resolver state
 * (/run/systemd/resolve, /run/NetworkManager) or name a resolver listening
 * on the host's loopback: neither answers inside the guest. */
static int lxcf_guest_resolv_conf(lxcf_guest_ctx *g, lxcf_err *err)
{
    const char *ns = g->gc->dns ? g->gc->dns : g->gc->gateway;
    const char *rel = "etc/resolv.conf";
    _cleanup_free_ char *text = NULL;
    struct stat st;
    int r;

    if (!g->gc->ipv4 || !ns)
        return 0;
    r = lxcf_fs_stat_beneath(g->rootfd, rel, LXCF_FS_NOFOLLOW, &st, err);
    if (r < 0)
        return -1;
    if (r > 0 && S_ISLNK(st.st_mode)) {
        int resolved = lxcf_guest_exists(g->rootfd,
                                         LXCF_GUEST_UNITDIR "/multi-user.target.wants/systemd-resolved.service",
                                         0, err);
        if (resolved < 0)
            return -1;
        if (resolved)
            return 0; /* the guest runs its own resolved: its stub works */
    } else if (r > 0 && S_ISREG(st.st_mode)) {
        if (lxcf_fs_read_beneath(g->rootfd, rel, &text, NULL, err) < 0)
            return -1;
        if (!lxcf_guest_only_loopback_ns(text))
            return 0;
    } else if (r > 0) {
        return 0;
    }
    free(text);
    text = lxcf_xasprintf("# Written by lxcf.\nnameserver %s\n", ns);
    return lxcf_guest_write(g, rel, text, 0644, err);
}

static int lxcf_guest_mask_units(lxcf_guest_ctx *g, lxcf_err *err)
{
    for (const char *const *u = lxcf_guest_masked_units; *u; u++)
        if (lxcf_guest_link(g, LXCF_GUEST_UNITDIR, *u, "/dev/null", err) < 0)
            return -1;
    /* `lxcf console` / `virsh console` attach to /dev/console. */
    return lxcf_guest_enable(g, "console-getty.service", "getty.target", err) < 0 ? -1 : 0;
}

static bool lxcf_guest_has_line(const char *text, const char *line)
{
    size_t n = strlen(line);

    for (const char *l = text; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
        if (strncmp(l, line, n) == 0 && (l[n] == '\n' || l[n] == '\0'))
            return true;
    return false;
}

static int lxcf_guest_securetty(lxcf_guest_ctx *g, lxcf_err *err)
{
    static const char *const need[] = { "console", "pts/0", NULL };
    _cleanup_free_ char *text = NULL, *out = NULL;
    size_t len;
    int r = lxcf_guest_exists(g->rootfd, "etc/securetty", S_IFREG, err);

    if (r <= 0)
        return r;
    if (lxcf_fs_read_beneath(g->rootfd, "etc/securetty", &text, &len, err) < 0)
        return -1;
    out = lxcf_xasprintf("%s%s", text, len && text[len - 1] != '\n' ? "\n" : "");
    for (const char *const *n = need; *n; n++) {
        if (lxcf_guest_has_line(text, *n))
            continue;
        char *more = lxcf_xasprintf("%s%s\n", out, *n);
        free(out);
        out = more;
    }
    if (lxcf_streq(out, text))
        return 0;
    return lxcf_guest_write(g, "etc/securetty", out, 0600, err);
}

/* The host's ssh host keys must not be shared by its containers.  Debian
 * does not regenerate missing keys at boot (Fedora's sshd-keygen does), so a
 * one-shot unit runs `ssh-keygen -A` before sshd. */
static int lxcf_guest_ssh_keys(lxcf_guest_ctx *g, lxcf_err *err)
{
    static const char unit[] =
        "# Written by lxcf: this container's own ssh host keys.\n"
        "[Unit]\nDescription=Generate SSH host keys\n"
        "ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key\n"
        "Before=ssh.service sshd.service\n\n"
        "[Service]\nType=oneshot\nExecStart=/usr/bin/ssh-keygen -A\n\n"
        "[Install]\nWantedBy=multi-user.target\n";
    _cleanup_closedir_ DIR *d = NULL;
    struct dirent *de;
    int fd, r = lxcf_guest_exists(g->rootfd, "etc/ssh", S_IFDIR, err);

    if (r <= 0)
        return r;
    fd = lxcf_fs_openat_beneath(g->rootfd, "etc/ssh", O_RDONLY | O_DIRECTORY, 0, err);
    if (fd < 0)
        return -1;
    d = fdopendir(fd);
    if (!d) {
        close(fd);
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s/etc/ssh: cannot read", g->root);
    }
    while ((de = readdir(d)))
        if (lxcf_startswith(de->d_name, "ssh_host_") && de->d_type != DT_DIR &&
            unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
            return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s/etc/ssh/%s: cannot remove",
                                    g->root, de->d_name);
    if (lxcf_guest_write(g, LXCF_GUEST_UNITDIR "/lxcf-ssh-keygen.service", unit, 0644, err) < 0)
        return -1;
    return lxcf_guest_link(g, LXCF_GUEST_UNITDIR "/multi-user.target.wants",
                           "lxcf-ssh-keygen.service",
                           "/etc/systemd/system/lxcf-ssh-keygen.service", err);
}

static int lxcf_guest_host_state(lxcf_guest_ctx *g, lxcf_err *err)
{
    static const char *const gone[] = {
        "var/lib/systemd/random-seed",       /* would repeat the host's entropy */
        "var/lib/systemd/credential.secret", /* the host's credential key */
        NULL,
    };

    for (const char *const *p = gone; *p; p++)
        if (lxcf_fs_unlink_beneath(g->rootfd, *p, err) < 0)
            return -1;
    return lxcf_guest_ssh_keys(g, err);
}

/* The copied /etc/hosts names the host (127.0.1.1 host.domain host): the
 * guest would resolve the host's name to itself, and not its own.  Runs
 * before the new hostname is written: the old one says what to rename. */
static int lxcf_guest_hosts(lxcf_guest_ctx *g, lxcf_err *err)
{
    _cleanup_free_ char *old = NULL, *hosts = NULL, *renamed = NULL;
    struct stat st;
    int r;

    r = lxcf_fs_stat_beneath(g->rootfd, "etc/hostname", LXCF_FS_NOFOLLOW, &st, err);
    if (r <= 0 || !S_ISREG(st.st_mode))
        return r < 0 ? -1 : 0;
    if (lxcf_fs_read_beneath(g->rootfd, "etc/hostname", &old, NULL, err) < 0)
        return -1;
    old[strcspn(old, " \t\r\n")] = '\0';
    if (!*old || lxcf_streq(old, g->gc->name))
        return 0;
    r = lxcf_fs_stat_beneath(g->rootfd, "etc/hosts", LXCF_FS_NOFOLLOW, &st, err);
    if (r <= 0 || !S_ISREG(st.st_mode))
        return r < 0 ? -1 : 0;
    if (lxcf_fs_read_beneath(g->rootfd, "etc/hosts", &hosts, NULL, err) < 0 ||
        lxcf_hosts_rename(hosts, old, g->gc->name, &renamed, err) < 0)
        return -1;
    if (lxcf_streq(hosts, renamed))
        return 0;
    return lxcf_guest_write(g, "etc/hosts", renamed, st.st_mode & 07777, err);
}

static int lxcf_guest_run(lxcf_guest_ctx *g, lxcf_err *err)
{
    _cleanup_free_ char *hostname = lxcf_xasprintf("%s\n", g->gc->name);

    if (lxcf_guest_hosts(g, err) < 0 ||
        lxcf_guest_write(g, "etc/hostname", hostname, 0644, err) < 0 ||
        lxcf_guest_machine_id(g, err) < 0 ||
        lxcf_guest_write(g, "etc/fstab",
                         "# lxcf: the container's file systems are mounted by libvirt.\n", 0644,
                         err) < 0 ||
        lxcf_fs_mkdir_p_beneath(g->rootfd, LXCF_GUEST_UNITDIR, 0755, err) < 0 ||
        lxcf_guest_network(g, err) < 0 || lxcf_guest_resolv_conf(g, err) < 0 ||
        lxcf_guest_mask_units(g, err) < 0 || lxcf_guest_securetty(g, err) < 0 ||
        lxcf_guest_host_state(g, err) < 0)
        return -1;
    return 0;
}

int lxcf_guest_customise(const char *root, const char *usr_root, const lxcf_guest_conf *gc,
                         lxcf_err *err)
{
    _cleanup_close_ int rootfd = -1, usrfd = -1;

    if (lxcf_guest_check_conf(gc, err) < 0)
        return -1;
    rootfd = lxcf_fs_open_root(root, err);
    if (rootfd < 0)
        return -1;
    /* The guest's own usr/ may be a planted link: open it beneath the root. */
    usrfd = usr_root ? lxcf_fs_open_root(usr_root, err)
                     : lxcf_fs_openat_beneath(rootfd, "usr", O_PATH | O_DIRECTORY, 0, err);
    if (usrfd < 0)
        return -1;
    lxcf_guest_ctx g = { .root = root, .rootfd = rootfd, .usrfd = usrfd, .gc = gc };
    /* Some thirty files and links, each written atomically: one sync for
     * them all.  Nothing reads them before it (the container is still
     * marked building), so a crash meanwhile leaves what erase removes. */
    bool was = lxcf_sync_defer(true);
    int r = lxcf_guest_run(&g, err);
    lxcf_sync_defer(was);
    if (r < 0) {
        lxcf_error_prefix(err, "%s: ", gc->name);
        return -1;
    }
    if (syncfs(rootfd) < 0)
        return lxcf_error_errno(err, LXCF_EXIT_FAIL, errno, "%s: cannot sync %s", gc->name, root);
    return 0;
}

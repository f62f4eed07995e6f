/*
 * The settings table and its three sources; see config.h.
 */
#include "config.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { STR, UINT };

static const struct setting {
    const char *name;
    const char *env;
    enum kind kind;
    size_t off, size;
    const char *def;
    const char *help;
} settings[] = {
#define S(n, e, m, d, h) {n, e, STR, offsetof(struct config, m), sizeof(((struct config *)0)->m), d, h}
#define U(n, e, m, d, h) {n, e, UINT, offsetof(struct config, m), sizeof(unsigned), d, h}
    S("db", "GRIDLINE_DB", db, "gridline.db",
      "database: a SQLite file path (sqlite:PATH and file: URIs too)"),
    S("listen", "GRIDLINE_LISTEN", listen, "127.0.0.1:8080",
      "address to serve on, HOST:PORT or [IPv6]:PORT; port 0 picks a free one"),
    U("threads", "GRIDLINE_THREADS", threads, "0", "HTTP worker threads; 0 = one per core"),
    U("max-body-kb", "GRIDLINE_MAX_BODY_KB", max_body_kb, "1024",
      "largest accepted JSON request body, in KiB"),
    U("timeout", "GRIDLINE_TIMEOUT", timeout_s, "30", "seconds before an idle connection is closed"),
    U("drain", "GRIDLINE_DRAIN", drain_s, "15",
      "seconds to let in-flight requests finish on SIGTERM/SIGINT"),
    S("log-level", "GRIDLINE_LOG_LEVEL", log_level, "info", "debug, info, warn or error"),
    S("utc-offset", "GRIDLINE_UTC_OFFSET", utc_offset, "+08:00",
      "offset of the times the API writes (China Standard Time by default)"),
    S("key-file", "GRIDLINE_KEY_FILE", key_file, "",
      "file holding the personal-data key (default: the database path + .key; "
      "GRIDLINE_KEY may hold the 64 hex digits instead)"),
    S("public-url", "GRIDLINE_PUBLIC_URL", public_url, "",
      "the address people use, e.g. https://wg.example.gov.cn (https makes cookies Secure)"),
    U("session-idle", "GRIDLINE_SESSION_IDLE", session_idle_s, "1800",
      "seconds of inactivity that end a session"),
    U("session-max", "GRIDLINE_SESSION_MAX", session_max_s, "43200",
      "seconds after sign-in that end a session in any case"),
    U("login-max-failures", "GRIDLINE_LOGIN_MAX_FAILURES", login_max_failures, "5",
      "failed sign-ins in a row that lock an account"),
    U("lock-minutes", "GRIDLINE_LOCK_MINUTES", lock_minutes, "15", "how long a locked account waits"),
    S("webhook-url", "GRIDLINE_WEBHOOK_URL", webhook_url, "",
      "where the outbox POSTs notifications as JSON (e.g. the SMS gateway); empty keeps them queued"),
    S("webhook-secret", "GRIDLINE_WEBHOOK_SECRET", webhook_secret, "",
      "key of the HMAC-SHA256 in X-Gridline-Signature (set it in the environment or the config file)"),
    U("webhook-retry", "GRIDLINE_WEBHOOK_RETRY", webhook_retry_s, "30",
      "seconds before the first retry of a failed delivery; doubles each time, up to an hour"),
#undef S
#undef U
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

static int set(struct config *cfg, const struct setting *s, const char *value, const char *from)
{
    char *dst = (char *)cfg + s->off;
    if (s->kind == STR) {
        if (strlen(value) >= s->size) {
            fprintf(stderr, "gridline: %s from %s is too long\n", s->name, from);
            return -1;
        }
        memcpy(dst, value, strlen(value) + 1);
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long v = strtoul(value, &end, 10);
    if (errno || end == value || *end || v > 1000000 || value[0] == '-') {
        fprintf(stderr, "gridline: %s from %s must be a whole number, not \"%s\"\n", s->name, from,
                value);
        return -1;
    }
    *(unsigned *)dst = (unsigned)v;
    return 0;
}

static const struct setting *find(const char *name, size_t len)
{
    for (size_t i = 0; i < NSETTINGS; i++)
        if (strlen(settings[i].name) == len && strncmp(settings[i].name, name, len) == 0)
            return &settings[i];
    return NULL;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

static int load_file(struct config *cfg, const char *path, unsigned char given[NSETTINGS])
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "gridline: cannot read config file %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[2048];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (*s == '#' || *s == '\0')
            continue;
        char *eq = strchr(s, '=');
        const struct setting *st = NULL;
        if (eq) {
            *eq = '\0';
            char *k = trim(s);
            st = find(k, strlen(k));
        }
        if (!st) {
            fprintf(stderr, "gridline: %s:%d: expected \"setting = value\" with a known setting\n",
                    path, lineno);
            rc = -1;
            break;
        }
        char from[1100];
        snprintf(from, sizeof from, "%s:%d", path, lineno);
        if (!given[st - settings])
            rc = set(cfg, st, trim(eq + 1), from);
    }
    fclose(f);
    return rc;
}

static void help(const char *usage, const struct cmd_flag *extra)
{
    printf("usage: %s\n\n", usage);
    if (extra && extra->name) {
        printf("options of this command:\n");
        for (const struct cmd_flag *x = extra; x->name; x++) {
            char left[64];
            snprintf(left, sizeof left, "--%s%s%s", x->name, x->arg ? " " : "", x->arg ? x->arg : "");
            printf("  %-24s %s\n", left, x->help);
        }
        printf("\n");
    }
    printf("settings (flag, environment, config file key; flags win, then environment, then file):\n");
    for (size_t i = 0; i < NSETTINGS; i++) {
        char left[64];
        snprintf(left, sizeof left, "--%s VALUE", settings[i].name);
        printf("  %-24s %s\n  %-24s env %s, default %s\n", left, settings[i].help, "",
               settings[i].env, settings[i].def);
    }
    printf("  %-24s %s\n", "--config FILE", "config file (env GRIDLINE_CONFIG)");
}

static int parse_offset(const char *s, int *out)
{
    int h, m;
    char sign, extra;
    if (sscanf(s, "%c%2d:%2d%c", &sign, &h, &m, &extra) != 3 || (sign != '+' && sign != '-') ||
        strlen(s) != 6 || h > 14 || m > 59)
        return -1;
    *out = (sign == '-' ? -1 : 1) * (h * 60 + m);
    return 0;
}

int config_load(struct config *cfg, int argc, char **argv, const struct cmd_flag *extra,
                const char *usage)
{
    unsigned char given[NSETTINGS] = {0};
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < NSETTINGS; i++)
        set(cfg, &settings[i], settings[i].def, "default");

    /* Flags first into a scratch copy, so that they can win over the
     * environment and the file that are read after. */
    struct config flags = *cfg;
    const char *config_file = getenv("GRIDLINE_CONFIG");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help(usage, extra);
            return 1;
        }
        if (strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "gridline: unexpected argument \"%s\" (see --help)\n", a);
            return -1;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        const char *value = eq ? eq + 1 : NULL;
        const struct cmd_flag *x = NULL;
        for (const struct cmd_flag *c = extra; c && c->name; c++)
            if (strlen(c->name) == nlen && strncmp(c->name, name, nlen) == 0)
                x = c;
        if (x && !x->arg) {
            if (value) {
                fprintf(stderr, "gridline: --%s takes no value\n", x->name);
                return -1;
            }
            *(bool *)x->out = true;
            continue;
        }
        if (!value) {
            if (i + 1 >= argc) {
                fprintf(stderr, "gridline: --%.*s needs a value\n", (int)nlen, name);
                return -1;
            }
            value = argv[++i];
        }
        if (x) {
            *(const char **)x->out = value;
            continue;
        }
        if (nlen == 6 && strncmp(name, "config", 6) == 0) {
            config_file = value;
            continue;
        }
        const struct setting *st = find(name, nlen);
        if (!st) {
            fprintf(stderr, "gridline: unknown option --%.*s (see --help)\n", (int)nlen, name);
            return -1;
        }
        if (set(&flags, st, value, "the command line") < 0)
            return -1;
        given[st - settings] = 2;
    }
    for (size_t i = 0; i < NSETTINGS; i++) {
        const struct setting *st = &settings[i];
        if (given[i]) {
            memcpy((char *)cfg + st->off, (char *)&flags + st->off, st->size);
            continue;
        }
        const char *v = getenv(st->env);
        if (v && *v) {
            if (set(cfg, st, v, st->env) < 0)
                return -1;
            given[i] = 1;
        }
    }
    if (config_file && *config_file) {
        snprintf(cfg->config_file, sizeof cfg->config_file, "%s", config_file);
        if (load_file(cfg, config_file, given) < 0)
            return -1;
    }
    if (parse_offset(cfg->utc_offset, &cfg->offset_min) < 0) {
        fprintf(stderr, "gridline: utc-offset must look like +08:00, not \"%s\"\n", cfg->utc_offset);
        return -1;
    }
    int lvl = log_level_parse(cfg->log_level);
    if (lvl < 0) {
        fprintf(stderr, "gridline: log-level must be debug, info, warn or error\n");
        return -1;
    }
    log_set_level((enum log_level)lvl);
    if (!cfg->key_file[0]) {
        const char *db = cfg->db;
        if (strncmp(db, "sqlite:", 7) == 0)
            db += 7;
        else if (strncmp(db, "file:", 5) == 0)
            db += 5;
        size_t n = strcspn(db, "?");
        snprintf(cfg->key_file, sizeof cfg->key_file, "%.*s.key", (int)n, db);
    }
    if (cfg->session_idle_s == 0 || cfg->session_max_s == 0 || cfg->login_max_failures == 0) {
        fprintf(stderr, "gridline: session-idle, session-max and login-max-failures must be > 0\n");
        return -1;
    }
    if (cfg->max_body_kb == 0) {
        fprintf(stderr, "gridline: max-body-kb must be at least 1\n");
        return -1;
    }
    return 0;
}

/*
 * Configuration shared by the commands: each setting comes from a flag
 * (--db), else the environment (GRIDLINE_DB), else the config file
 * (--config / GRIDLINE_CONFIG; lines "db = PATH", '#' comments), else its
 * default. One table in config.c lists them all and generates --help.
 */
#ifndef GL_CONFIG_H
#define GL_CONFIG_H
#include <stdbool.h>
#include <stddef.h>

struct config {
    char db[1024];
    char listen[256];
    unsigned threads;       /* 0 = one per core */
    unsigned max_body_kb;
    unsigned timeout_s;
    unsigned drain_s;
    char log_level[16];
    char utc_offset[8];     /* "+08:00" */
    int offset_min;         /* derived from utc_offset */
    char key_file[1024];    /* "" = the database path + ".key" */
    char public_url[256];   /* "" = http://<listen>; https:// makes cookies Secure */
    unsigned session_idle_s;
    unsigned session_max_s;
    unsigned login_max_failures;
    unsigned lock_minutes;
    char webhook_url[512];     /* "" = the outbox keeps its rows until one is set */
    char webhook_secret[256];  /* HMAC-SHA256 key for X-Gridline-Signature */
    unsigned webhook_retry_s;  /* first retry delay; doubles up to an hour */
    char config_file[1024];
};

/* A flag that only one command takes (e.g. init --demo). */
struct cmd_flag {
    const char *name;    /* without "--" */
    const char *arg;     /* NULL for a boolean flag, else the argument's name for --help */
    void *out;           /* bool * or const char ** */
    const char *help;
};

/* Fills cfg from defaults, file, environment and argv (argv[0] is the
 * command name). Returns 0, 1 when --help was printed, or -1 with a
 * message on stderr. */
int config_load(struct config *cfg, int argc, char **argv, const struct cmd_flag *extra,
                const char *usage);

#endif

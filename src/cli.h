/*
 * Administrative subcommands that work directly on the database:
 * `gridline user ...`, `gridline import ...`, `gridline sweep` and
 * `gridline audit verify`.
 */
#ifndef GL_CLI_H
#define GL_CLI_H
#include <stddef.h>

struct config;
struct db;

int cmd_user(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* Opens cfg->db (must exist) with one connection and loads the data key;
 * prints the reason and returns -1 on failure. */
int cli_open(const struct config *cfg, const char *who, struct db **db);
/* Reads one line from stdin into buf without its newline; -1 at EOF. */
int cli_read_line(char *buf, size_t len);

#endif

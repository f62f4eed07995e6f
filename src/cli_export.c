/*
 * `gridline export cases --from --to --format csv|xlsx --out FILE`: the
 * case ledger from the shell, through the same writer and the same columns
 * as GET /api/v1/cases?format=..., page by page in constant memory. The
 * shell is trusted: every case in the window, nothing personal in it.
 */
#include "api/api.h"
#include "cli.h"
#include "config.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "export.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Accepts RFC 3339 or a local date (YYYY-MM-DD, the start of that day). */
static int parse_when(const char *s, int offset_min, int64_t *out)
{
    if (gl_time_parse(s, out) == 0)
        return 0;
    char day[40];
    if (strlen(s) != 10)
        return -1;
    snprintf(day, sizeof day, "%sT00:00:00+00:00", s);
    if (gl_time_parse(day, out) < 0)
        return -1;
    *out -= (int64_t)offset_min * 60;
    return 0;
}

/* Copies the finished file to path (atomically: a temporary name, then rename). */
static int save(int fd, size_t size, const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.partial", path);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0)
        return -1;
    char buf[65536];
    size_t done = 0;
    while (done < size) {
        ssize_t n = pread(fd, buf, sizeof buf, (off_t)done);
        if (n <= 0 || write(out, buf, (size_t)n) != n) {
            close(out);
            unlink(tmp);
            return -1;
        }
        done += (size_t)n;
    }
    if (fsync(out) < 0 || close(out) < 0 || rename(tmp, path) < 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int cmd_export(int argc, char **argv)
{
    struct config cfg;
    const char *from = NULL, *to = NULL, *format = NULL, *out = NULL;
    const struct cmd_flag flags[] = {
        {"from", "TIME", &from, "cases reported from (RFC 3339 or YYYY-MM-DD, local)"},
        {"to", "TIME", &to, "up to, not including (RFC 3339 or YYYY-MM-DD, local)"},
        {"format", "csv|xlsx", &format, "default: from the --out file's extension"},
        {"out", "FILE", &out, "where to write (required)"},
        {NULL, NULL, NULL, NULL},
    };
    const char *usage = "gridline export cases --from 2026-01-01 --to 2026-04-01 --out cases.xlsx\n\n"
                        "Writes the case ledger (案件台账) with Chinese headers, the columns of\n"
                        "GET /api/v1/cases?format=xlsx, for cases reported in [--from, --to).";
    if (argc < 2 || strcmp(argv[1], "cases") != 0) {
        fprintf(stderr, "usage: %s\n", usage);
        return 2;
    }
    int rc = config_load(&cfg, argc - 1, argv + 1, flags, usage);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    if (!out) {
        fprintf(stderr, "gridline export: --out FILE is required\n");
        return 2;
    }
    const char *ext = strrchr(out, '.');
    int f = export_format_parse(format ? format : ext ? ext + 1 : "");
    if (f != EXPORT_CSV && f != EXPORT_XLSX) {
        fprintf(stderr, "gridline export: --format must be csv or xlsx (or --out ending so)\n");
        return 2;
    }
    struct db_case_filter filter = {.scopes = {""}, .overdue = -1, .supervised = -1};
    if ((from && parse_when(from, cfg.offset_min, &filter.from) < 0) ||
        (to && parse_when(to, cfg.offset_min, &filter.to) < 0)) {
        fprintf(stderr, "gridline export: --from and --to take 2026-03-25 or"
                        " 2026-03-25T09:30:00+08:00\n");
        return 2;
    }
    struct db *db;
    if (cli_open(&cfg, "export", &db) < 0)
        return 1;
    struct app app = {.cfg = &cfg, .db = db};
    struct http_req r = {.app = &app};
    size_t ncols;
    const char *const *headers = api_cases_export_headers(&ncols);
    char err[160] = "";
    struct export_writer *w = export_begin((enum export_format)f, "案件台账", headers, ncols, err,
                                           sizeof err);
    int fd = -1;
    size_t size = 0;
    rc = w ? api_cases_export(&r, &filter, w) : -1;
    if (rc < 0)
        export_abort(w);
    else
        rc = export_end(w, &fd, &size, err, sizeof err);
    db_close(db);
    if (rc < 0 || save(fd, size, out) < 0) {
        fprintf(stderr, "gridline export: could not write %s%s%s\n", out, err[0] ? ": " : "",
                err);
        if (fd >= 0)
            close(fd);
        return 1;
    }
    close(fd);
    printf("wrote %s (%zu bytes)\n", out, size);
    return 0;
}

/*
 * CSV and XLSX writers; see export.h.
 */
#include "export.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

int export_format_parse(const char *name)
{
    if (!name || strcmp(name, "json") == 0)
        return EXPORT_JSON;
    if (strcmp(name, "csv") == 0)
        return EXPORT_CSV;
    if (strcmp(name, "xlsx") == 0)
        return EXPORT_XLSX;
    return -1;
}

const char *export_mime(enum export_format f)
{
    switch (f) {
    case EXPORT_CSV:
        return "text/csv; charset=utf-8";
    case EXPORT_XLSX:
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    default:
        return "application/json";
    }
}

static bool looks_like_formula(const char *s) { return s[0] && strchr("=+-@", s[0]); }

/* The text of a cell (numbers printed), in buf when it is not a string. */
static const char *cell_text(const json_t *v, char buf[32])
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        snprintf(buf, 32, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, 32, "%g", json_real_value(v));
    else
        buf[0] = '\0';
    return buf;
}

static void csv_text(FILE *f, const char *s, bool guard)
{
    bool formula = guard && looks_like_formula(s);
    if (!formula && !strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Display width of a UTF-8 string: CJK (3-byte and longer) counts two. */
static double text_width(const char *s)
{
    double w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x80)
            w += 1;
        else if (*p >= 0xE0)
            w += 2;
    return w;
}

#define MAX_COLS 64

struct export_writer {
    enum export_format format;
    size_t ncols;
    char path[512];
    FILE *csv;          /* CSV: the file itself */
    lxw_workbook *wb;   /* XLSX: rows stream to libxlsxwriter's own temporary files */
    lxw_worksheet *ws;
    lxw_row_t rows;
    double width[MAX_COLS];
};

static void csv_row_start(struct export_writer *w, size_t c)
{
    if (c)
        fputc(',', w->csv);
}

struct export_writer *export_begin(enum export_format f, const char *title,
                                   const char *const *headers, size_t ncols, char *err,
                                   size_t errlen)
{
    struct export_writer *w = calloc(1, sizeof *w);
    if (!w || (f != EXPORT_CSV && f != EXPORT_XLSX)) {
        free(w);
        snprintf(err, errlen, "no such export format");
        return NULL;
    }
    w->format = f;
    w->ncols = ncols < MAX_COLS ? ncols : MAX_COLS;
    const char *dir = getenv("TMPDIR");
    snprintf(w->path, sizeof w->path, "%s/gridline-export-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(w->path);
    if (fd < 0) {
        free(w);
        snprintf(err, errlen, "cannot create a temporary file for the export");
        return NULL;
    }
    if (f == EXPORT_CSV) {
        w->csv = fdopen(fd, "w+b");
        if (!w->csv) {
            close(fd);
            unlink(w->path);
            free(w);
            snprintf(err, errlen, "cannot open the export file");
            return NULL;
        }
        fputs("\xEF\xBB\xBF", w->csv); /* so Excel reads UTF-8 */
        for (size_t c = 0; c < w->ncols; c++) {
            csv_row_start(w, c);
            csv_text(w->csv, headers[c], false);
        }
        fputs("\r\n", w->csv);
        return w;
    }
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = dir && *dir ? (char *)dir : "/tmp"};
    w->wb = workbook_new_opt(w->path, &opt);
    w->ws = w->wb ? workbook_add_worksheet(w->wb, title) : NULL;
    if (!w->ws) {
        if (w->wb)
            workbook_close(w->wb);
        unlink(w->path);
        free(w);
        snprintf(err, errlen, "cannot start the workbook");
        return NULL;
    }
    lxw_format *bold = workbook_add_format(w->wb);
    format_set_bold(bold);
    format_set_bg_color(bold, 0xEEF2F7);
    for (size_t c = 0; c < w->ncols; c++) {
        worksheet_write_string(w->ws, 0, (lxw_col_t)c, headers[c], bold);
        w->width[c] = text_width(headers[c]);
    }
    return w;
}

int export_add(struct export_writer *w, const json_t *row)
{
    w->rows++;
    for (size_t c = 0; c < w->ncols; c++) {
        const json_t *v = json_array_get(row, c);
        char buf[32];
        const char *text = cell_text(v, buf);
        if (w->csv) {
            csv_row_start(w, c);
            csv_text(w->csv, text, json_is_string(v));
            continue;
        }
        if (json_is_integer(v) || json_is_real(v))
            worksheet_write_number(w->ws, w->rows, (lxw_col_t)c, json_number_value(v), NULL);
        else if (json_is_string(v))
            worksheet_write_string(w->ws, w->rows, (lxw_col_t)c, text, NULL);
        double width = text_width(text);
        if (width > w->width[c])
            w->width[c] = width;
    }
    if (w->csv)
        fputs("\r\n", w->csv);
    return w->csv && ferror(w->csv) ? -1 : 0;
}

void export_abort(struct export_writer *w)
{
    if (!w)
        return;
    if (w->csv)
        fclose(w->csv);
    if (w->wb)
        workbook_close(w->wb);
    unlink(w->path);
    free(w);
}

int export_end(struct export_writer *w, int *fd, size_t *size, char *err, size_t errlen)
{
    *fd = -1;
    if (w->wb) {
        for (size_t c = 0; c < w->ncols; c++)
            worksheet_set_column(w->ws, (lxw_col_t)c, (lxw_col_t)c,
                                 w->width[c] > 60 ? 60 : w->width[c] + 2, NULL);
        worksheet_freeze_panes(w->ws, 1, 0);
        if (w->ncols)
            worksheet_autofilter(w->ws, 0, 0, w->rows, (lxw_col_t)(w->ncols - 1));
        lxw_error rc = workbook_close(w->wb);
        w->wb = NULL;
        if (rc != LXW_NO_ERROR) {
            snprintf(err, errlen, "cannot write the workbook: %s", lxw_strerror(rc));
            export_abort(w);
            return -1;
        }
        *fd = open(w->path, O_RDONLY);
    } else if (fflush(w->csv) == 0 && !ferror(w->csv)) {
        *fd = dup(fileno(w->csv));
    }
    struct stat st;
    if (*fd < 0 || fstat(*fd, &st) < 0) {
        if (*fd >= 0)
            close(*fd);
        *fd = -1;
        snprintf(err, errlen, "cannot read the finished export back");
        export_abort(w);
        return -1;
    }
    *size = (size_t)st.st_size;
    export_abort(w); /* the file lives on through the descriptor */
    return 0;
}

int export_table(const struct export_table *t, enum export_format f, char **out, size_t *len,
                 char *err, size_t errlen)
{
    *out = NULL;
    *len = 0;
    struct export_writer *w = export_begin(f, t->title, t->headers, t->ncols, err, errlen);
    if (!w)
        return -1;
    size_t i;
    json_t *row;
    json_array_foreach(t->rows, i, row) {
        if (export_add(w, row) < 0) {
            export_abort(w);
            snprintf(err, errlen, "cannot write the export");
            return -1;
        }
    }
    int fd;
    size_t size;
    if (export_end(w, &fd, &size, err, errlen) < 0)
        return -1;
    *out = malloc(size ? size : 1);
    ssize_t got = *out ? pread(fd, *out, size, 0) : -1;
    close(fd);
    if (got != (ssize_t)size) {
        free(*out);
        *out = NULL;
        snprintf(err, errlen, "cannot read the export back");
        return -1;
    }
    *len = size;
    return 0;
}

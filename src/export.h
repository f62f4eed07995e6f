/*
 * Tables to files a clerk opens in Excel or WPS: CSV (UTF-8 with a byte
 * order mark, CRLF, RFC 4180 quoting) and XLSX (libxlsxwriter: a bold
 * frozen header row with a filter, column widths to fit). Used by every
 * ledger and export. A cell is a JSON string, integer, real or null; a text
 * cell that a spreadsheet would run as a formula (= + - @ first) is written
 * with a leading apostrophe in CSV and as plain text in XLSX.
 */
#ifndef GL_EXPORT_H
#define GL_EXPORT_H
#include <jansson.h>
#include <stddef.h>

struct export_table {
    const char *title;            /* the sheet's name */
    const char *const *headers;   /* ncols column names, Chinese first */
    size_t ncols;
    json_t *rows;                 /* array of arrays of ncols cells (borrowed) */
};

enum export_format { EXPORT_JSON = 0, EXPORT_CSV, EXPORT_XLSX };
/* "json", "csv", "xlsx" (NULL = json); -1 when unknown. */
int export_format_parse(const char *name);
const char *export_mime(enum export_format f);

/* A file written a row at a time in constant memory: CSV straight to a
 * temporary file, XLSX through libxlsxwriter's constant-memory mode. */
struct export_writer;
/* Starts one with its header row; NULL with a sentence in err. */
struct export_writer *export_begin(enum export_format f, const char *title,
                                   const char *const *headers, size_t ncols, char *err,
                                   size_t errlen);
/* Adds a row: an array of ncols cells. */
int export_add(struct export_writer *w, const json_t *row);
/* Finishes it: *fd is open on the file (already unlinked, so closing it
 * removes it) and *size its length. Frees w either way; -1 with err. */
int export_end(struct export_writer *w, int *fd, size_t *size, char *err, size_t errlen);
/* Gives up: removes the file and frees w. */
void export_abort(struct export_writer *w);

/* Writes t in format f (CSV or XLSX) to a malloc'd buffer. Returns 0, or -1
 * with a sentence in err. */
int export_table(const struct export_table *t, enum export_format f, char **out, size_t *len,
                 char *err, size_t errlen);

#endif

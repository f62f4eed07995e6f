/*
 * Lookup tables generated from GL_ERROR_LIST in errors.h.
 */
#include "http/errors.h"

static const struct {
    unsigned status;
    const char *code;
    const char *message;
} table[] = {
#define GL_ERROR_ROW(name, status, code, msg) [name] = {status, code, msg},
    GL_ERROR_LIST(GL_ERROR_ROW)
#undef GL_ERROR_ROW
};

unsigned gl_error_status(enum gl_error e) { return e < GL_ERR__COUNT ? table[e].status : 500; }
const char *gl_error_code(enum gl_error e) { return e < GL_ERR__COUNT ? table[e].code : "internal"; }
const char *gl_error_message(enum gl_error e)
{
    return e < GL_ERR__COUNT ? table[e].message : "internal error";
}

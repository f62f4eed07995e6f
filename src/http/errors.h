/*
 * The one list of API error codes. Each code names its HTTP status and a
 * default English message; http_reply_error() turns one into the uniform
 * body {"error":{"code":"...","message":"...","field":"..."}}.
 * Add a code here and nowhere else; /api/v1/openapi.json lists them all.
 */
#ifndef GL_HTTP_ERRORS_H
#define GL_HTTP_ERRORS_H

/*   enum name                  status  code                      default message */
#define GL_ERROR_LIST(X)                                                                            \
    X(GL_ERR_BAD_JSON,              400, "bad_json",              "request body is not valid JSON") \
    X(GL_ERR_NOT_AN_OBJECT,         400, "not_an_object",         "request body must be a JSON object") \
    X(GL_ERR_UNKNOWN_FIELD,         400, "unknown_field",         "field is not accepted here")     \
    X(GL_ERR_MISSING_FIELD,         400, "missing_field",         "required field is missing")      \
    X(GL_ERR_WRONG_TYPE,            400, "wrong_type",            "field has the wrong JSON type")  \
    X(GL_ERR_BAD_PARAMETER,         400, "bad_parameter",         "query or path parameter is not valid") \
    X(GL_ERR_TOO_LONG,              422, "too_long",              "text is longer than allowed")    \
    X(GL_ERR_OUT_OF_RANGE,          422, "out_of_range",          "number is outside the allowed range") \
    X(GL_ERR_INVALID_VALUE,         422, "invalid_value",         "value is not acceptable")        \
    X(GL_ERR_UNAUTHORIZED,          401, "unauthorized",          "sign in first")                  \
    X(GL_ERR_BAD_CREDENTIALS,       401, "bad_credentials",       "wrong username or password")     \
    X(GL_ERR_TOTP_REQUIRED,         401, "totp_required",         "enter the 6-digit code from your authenticator") \
    X(GL_ERR_SESSION_EXPIRED,       401, "session_expired",       "your session has expired; sign in again") \
    X(GL_ERR_CSRF,                  403, "csrf_failed",           "missing or wrong X-CSRF-Token header") \
    X(GL_ERR_FORBIDDEN,             403, "forbidden",             "not allowed for your role or scope") \
    X(GL_ERR_NOT_FOUND,             404, "not_found",             "no such resource")               \
    X(GL_ERR_METHOD_NOT_ALLOWED,    405, "method_not_allowed",    "method not allowed on this path") \
    X(GL_ERR_CONFLICT,              409, "conflict",              "conflicts with existing data")   \
    X(GL_ERR_VERSION_CONFLICT,      409, "version_conflict",      "the resource was changed by someone else") \
    X(GL_ERR_INVALID_TRANSITION,    409, "invalid_transition",    "that step is not possible in the current state") \
    X(GL_ERR_ALREADY_VOTED,         409, "already_voted",         "you have already cast your ballot here") \
    X(GL_ERR_PAYLOAD_TOO_LARGE,     413, "payload_too_large",     "request body is too large")      \
    X(GL_ERR_UNSUPPORTED_MEDIA_TYPE,415, "unsupported_media_type","request body must be application/json") \
    X(GL_ERR_TOO_MANY_REQUESTS,     429, "too_many_requests",     "too many requests, try again later") \
    X(GL_ERR_ACCOUNT_LOCKED,        429, "account_locked",        "too many failed sign-ins; the account is locked for a while") \
    X(GL_ERR_INTERNAL,              500, "internal",              "internal error; it has been logged") \
    X(GL_ERR_UNAVAILABLE,           503, "unavailable",           "service is not ready")

enum gl_error {
#define GL_ERROR_ENUM(name, status, code, msg) name,
    GL_ERROR_LIST(GL_ERROR_ENUM)
#undef GL_ERROR_ENUM
    GL_ERR__COUNT
};

unsigned gl_error_status(enum gl_error e);
const char *gl_error_code(enum gl_error e);
const char *gl_error_message(enum gl_error e);

#endif

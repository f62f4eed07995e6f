/*
 * The only door to storage. Handlers never see SQLite or libpq types and
 * never build SQL from user text: every value travels as a bound parameter.
 *
 * Shape of use (GNU Taler style): a handler writes one callback that does
 * the work of a transaction and hands it to db_run_transaction(), which
 * borrows a pooled connection, begins, calls back, commits, and retries the
 * whole callback when the store reports a transient conflict (SQLite BUSY,
 * PostgreSQL serialization failure). Nothing is acknowledged before COMMIT
 * returned success.
 *
 * Status codes: >= 0 success (for queries, the number of rows), < 0 one of
 * enum db_status.
 *
 * SQL text uses $1, $2, ... placeholders in both dialects.
 */
#ifndef GL_DB_H
#define GL_DB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;      /* a pool of connections to one database */
struct db_conn; /* one connection, lent to a transaction callback */
struct db_row;  /* the current row inside a db_query callback */

enum db_status {
    DB_BUSY = -1,    /* transient conflict; db_run_transaction retries it */
    DB_UNIQUE = -2,  /* a unique constraint was violated */
    DB_FOREIGN = -3, /* a foreign key was violated */
    DB_CHECK = -4,   /* a CHECK or NOT NULL constraint was violated */
    DB_ERROR = -5,   /* anything else; the driver logged the details */
    DB_ABORT = -6,   /* the callback chose to roll back (not an error of the store) */
};

enum db_dialect { DB_SQLITE = 1, DB_POSTGRES };

enum db_ptype { DB_T_NULL, DB_T_INT, DB_T_DOUBLE, DB_T_TEXT, DB_T_BLOB };
struct db_param {
    enum db_ptype type;
    int64_t i;
    double d;
    const void *p;
    size_t len;
};
#define DB_INT(x)    ((struct db_param){.type = DB_T_INT, .i = (x)})
#define DB_DOUBLE(x) ((struct db_param){.type = DB_T_DOUBLE, .d = (x)})
/* NULL pointer binds SQL NULL. */
#define DB_TEXT(s)   ((struct db_param){.type = (s) ? DB_T_TEXT : DB_T_NULL, .p = (s)})
/* A string known not to be NULL (e.g. a local array). */
#define DB_STR(s)    ((struct db_param){.type = DB_T_TEXT, .p = (s)})
#define DB_BLOB(b, n) ((struct db_param){.type = DB_T_BLOB, .p = (b), .len = (n)})
#define DB_NULLP     ((struct db_param){.type = DB_T_NULL})
/* DB_ARGS(DB_INT(1), DB_TEXT(s)) expands to "array, count" for db_query/db_exec. */
#define DB_ARGS(...) (const struct db_param[]){__VA_ARGS__}, \
    (sizeof((const struct db_param[]){__VA_ARGS__}) / sizeof(struct db_param))
#define DB_NOARGS NULL, 0

enum { DB_OPEN_EXISTING = 0, DB_OPEN_CREATE = 1 };
/* Opens `url` ("sqlite:PATH", "file:PATH" or a plain path; "postgresql://..."
 * once that back end lands) with `nconns` pooled connections. With
 * DB_OPEN_EXISTING a missing database is an error. On failure returns < 0
 * and writes a sentence to err. */
int db_open(const char *url, unsigned nconns, int how, struct db **out, char *err, size_t errlen);
void db_close(struct db *db);
enum db_dialect db_dialect(const struct db *db);

/* Checks that the store runs with the durability settings gridline needs
 * (SQLite: WAL, synchronous=FULL, foreign_keys=ON). */
int db_check_settings(struct db *db, char *err, size_t errlen);

enum { DB_READ = 0, DB_WRITE = 1 };
typedef int (*db_txn_fn)(struct db_conn *c, void *cls);
/* Runs fn inside a transaction; commits when fn returns >= 0 and rolls back
 * otherwise. Returns fn's result, or the commit's failure. */
int db_run_transaction(struct db *db, int mode, db_txn_fn fn, void *cls);

/* Row callback: return 0 to continue, non-zero to stop early. */
typedef int (*db_row_fn)(void *cls, const struct db_row *row);
/* Runs a statement, calling fn for each row. Returns the number of rows
 * passed to fn, or < 0. `sql` should be a string literal: it is the key of
 * the per-connection prepared statement cache. */
int db_query(struct db_conn *c, const char *sql, const struct db_param *p, size_t n,
             db_row_fn fn, void *cls);
/* Runs a statement that returns no rows; returns the number of rows changed. */
int db_exec(struct db_conn *c, const char *sql, const struct db_param *p, size_t n);
/* Runs a single statement expected to return one integer in one row
 * (e.g. "... RETURNING id", "SELECT count(*)"); returns 1 with *out set, 0 when
 * there was no row, < 0 on error. */
int db_query_int(struct db_conn *c, const char *sql, const struct db_param *p, size_t n,
                 int64_t *out);
/* Runs several ';'-separated statements with no parameters (migrations). */
int db_exec_script(struct db_conn *c, const char *sql);
/* The store's own description of the last error on this connection. */
const char *db_errmsg(struct db_conn *c);

int64_t db_col_int(const struct db_row *r, int col);
double db_col_double(const struct db_row *r, int col);
/* NULL for SQL NULL; valid until the callback returns. */
const char *db_col_text(const struct db_row *r, int col);
int db_col_is_null(const struct db_row *r, int col);
/* Bytes of a BLOB column (NULL for SQL NULL); valid until the callback returns. */
const void *db_col_blob(const struct db_row *r, int col, size_t *len);

/* ---- migrations (db/migrate.c) ----------------------------------------- */

/* Highest migration version compiled into this binary for the dialect. */
int db_schema_known(enum db_dialect d);
/* Version recorded in the database (0 for an empty database), or < 0. */
int db_schema_version(struct db *db, int *version);
/* Applies every pending migration, each in its own transaction. Returns the
 * number applied, or < 0 (err says why; a database newer than this binary is
 * refused without change). */
int db_migrate(struct db *db, char *err, size_t errlen);

/* ---- categories (db/categories.c) -------------------------------------- */

struct db_category {
    int64_t id;
    int64_t parent_id; /* 0 for a top-level category */
    const char *parent_code;
    const char *code;
    const char *name_zh;
    const char *name_en;
    int64_t time_limit_hours;
    int active;
    int64_t created_at, updated_at, version;
};
typedef int (*db_category_fn)(void *cls, const struct db_category *c);

/* All categories ordered by code; parent_code, when not NULL, keeps the
 * children of that top-level category only. */
int db_categories_list(struct db_conn *c, const char *parent_code, db_category_fn fn, void *cls);
int db_category_by_id(struct db_conn *c, int64_t id, db_category_fn fn, void *cls);
int db_category_by_code(struct db_conn *c, const char *code, db_category_fn fn, void *cls);
/* The id of the category with `code`: 1 with *id set, 0 when there is none. */
int db_category_id(struct db_conn *c, const char *code, int64_t *id);
/* Inserts `in` (id, timestamps and version are set here); returns 1 with
 * *id set, DB_UNIQUE when the code exists, or < 0. */
int db_category_insert(struct db_conn *c, const struct db_category *in, int64_t now, int64_t *id);

/* ---- territory (db/territory.c) ----------------------------------------- */

struct db_region {
    const char *code, *name, *level, *parent_code;
    int64_t children; /* number of direct child regions (or grids, for a village) */
    int64_t created_at, updated_at, version;
};
typedef int (*db_region_fn)(void *cls, const struct db_region *r);
/* Children of parent (NULL: the top-level regions), ordered by code. */
int db_regions_list(struct db_conn *c, const char *parent, db_region_fn fn, void *cls);
int db_region_get(struct db_conn *c, const char *code, db_region_fn fn, void *cls);
int db_region_insert(struct db_conn *c, const char *code, const char *name, const char *level,
                     const char *parent_code, int64_t now);

struct db_grid {
    const char *code, *name, *village_code, *geometry, *duty_phone;
    double min_lat, min_lng, max_lat, max_lng;
    int64_t households;
    int64_t created_at, updated_at, version;
};
typedef int (*db_grid_fn)(void *cls, const struct db_grid *g);
/* Grids whose code lies under `prefix` ("" for all), ordered by code. */
int db_grids_list(struct db_conn *c, const char *prefix, db_grid_fn fn, void *cls);
int db_grid_get(struct db_conn *c, const char *code, db_grid_fn fn, void *cls);
/* Grids whose bounding box holds the point, ordered by code. */
int db_grids_near(struct db_conn *c, double lat, double lng, db_grid_fn fn, void *cls);
int db_grid_insert(struct db_conn *c, const struct db_grid *g, int64_t now);
/* The grid workers assigned to a grid: fn gets (user id, display name). */
typedef int (*db_person_fn)(void *cls, int64_t id, const char *display_name);
int db_grid_workers(struct db_conn *c, const char *code, db_person_fn fn, void *cls);

struct db_department {
    int64_t id;
    const char *code, *name, *region_code, *phone;
    int64_t created_at, updated_at, version;
};
typedef int (*db_department_fn)(void *cls, const struct db_department *d);
int db_departments_list(struct db_conn *c, db_department_fn fn, void *cls);
int db_department_get(struct db_conn *c, int64_t id, db_department_fn fn, void *cls);
/* Returns 1 with *id, DB_UNIQUE when the code exists, or < 0. */
int db_department_insert(struct db_conn *c, const struct db_department *d, int64_t now,
                         int64_t *id);

/* ---- households (db/households.c) --------------------------------------- */

struct db_household {
    int64_t id;
    const char *grid_code, *address_area, *head_name, *tags;
    /* Sealed personal data (NULL when not recorded). */
    const void *address_detail, *head_id_number, *phone;
    size_t address_detail_len, head_id_number_len, phone_len;
    int64_t members;
    int64_t created_at, updated_at, version;
};
typedef int (*db_household_fn)(void *cls, const struct db_household *h);

#define DB_MAX_SCOPES 4
struct db_household_filter {
    /* Region prefixes the caller may see ("" = everywhere; unused = NULL). */
    const char *scopes[DB_MAX_SCOPES];
    int64_t linked_user; /* also (or only) households linked to this party member; 0 = none */
    const char *region;  /* optional narrowing: region or grid code */
    const char *name;    /* optional: head_name contains */
    int64_t after_id;    /* cursor */
    int64_t limit;
};
int db_households_list(struct db_conn *c, const struct db_household_filter *f,
                       db_household_fn fn, void *cls);
int db_household_get(struct db_conn *c, int64_t id, db_household_fn fn, void *cls);
/* Returns 1 with *id, or < 0 (DB_FOREIGN: no such grid). */
int db_household_insert(struct db_conn *c, const struct db_household *h, int64_t now, int64_t *id);
/* A partial update: each field is written only when its `set_` flag is on
 * (a sealed field set to NULL clears it). */
struct db_household_patch {
    bool set_area, set_detail, set_head, set_idn, set_phone, set_members, set_tags;
    const char *address_area, *head_name, *tags;
    const void *address_detail, *head_id_number, *phone;
    size_t address_detail_len, head_id_number_len, phone_len;
    int64_t members;
};
/* Applies p when the row is at if_version; returns 1 when updated, 0 when
 * the version did not match (or no such row), < 0 on error. */
int db_household_update(struct db_conn *c, int64_t id, int64_t if_version,
                        const struct db_household_patch *p, int64_t now);
/* Whether user_id is the 联户 party member of household_id (1/0, or < 0). */
int db_party_linked(struct db_conn *c, int64_t user_id, int64_t household_id);
int db_party_link(struct db_conn *c, int64_t user_id, int64_t household_id, int64_t now);
int db_party_unlink(struct db_conn *c, int64_t user_id, int64_t household_id);
int db_pii_log(struct db_conn *c, int64_t user_id, const char *subject, int64_t subject_id,
               const char *fields, int64_t now);

/* ---- users, roles, sessions, tokens (db/users.c) ------------------------ */

struct db_user {
    int64_t id;
    const char *username, *display_name, *password_hash;
    const void *phone, *totp_secret;
    size_t phone_len, totp_secret_len;
    int totp_enabled, active;
    int64_t failed_logins, locked_until;
    int64_t created_at, updated_at, version;
};
typedef int (*db_user_fn)(void *cls, const struct db_user *u);
int db_user_by_username(struct db_conn *c, const char *username, db_user_fn fn, void *cls);
int db_user_by_id(struct db_conn *c, int64_t id, db_user_fn fn, void *cls);
/* Users with at least one role inside `prefix` ("" = all), by id after `after_id`. */
int db_users_list(struct db_conn *c, const char *prefix, int64_t after_id, int64_t limit,
                  db_user_fn fn, void *cls);
/* Returns 1 with *id, DB_UNIQUE when the username is taken, or < 0. */
int db_user_insert(struct db_conn *c, const struct db_user *u, int64_t now, int64_t *id);
int db_user_set_password(struct db_conn *c, int64_t id, const char *hash, int64_t now);
int db_user_login_failed(struct db_conn *c, int64_t id, int64_t max_failures, int64_t lock_until);
int db_user_login_ok(struct db_conn *c, int64_t id);
/* display_name NULL / active < 0 leave that field alone. Returns 1 when
 * updated, 0 on a version mismatch or no such user. */
int db_user_update(struct db_conn *c, int64_t id, int64_t if_version, const char *display_name,
                   int active, int64_t now);
int db_user_roles_clear(struct db_conn *c, int64_t user_id);
int db_user_sessions_end(struct db_conn *c, int64_t user_id);
int db_user_set_totp(struct db_conn *c, int64_t id, const void *sealed, size_t len, int enabled,
                     int64_t now);

struct db_role {
    const char *role, *region_code;
    int64_t dept_id;
};
typedef int (*db_role_fn)(void *cls, const struct db_role *r);
int db_user_roles(struct db_conn *c, int64_t user_id, db_role_fn fn, void *cls);
/* DB_UNIQUE when the user already holds exactly this assignment. */
int db_role_insert(struct db_conn *c, int64_t user_id, const char *role, const char *region,
                   int64_t dept_id, int64_t now);

struct db_session {
    int64_t id, user_id;
    const char *csrf_token;
    int64_t created_at, last_seen_at, expires_at;
};
typedef int (*db_session_fn)(void *cls, const struct db_session *s);
int db_session_insert(struct db_conn *c, const unsigned char *token_hash, size_t hlen,
                      int64_t user_id, const char *csrf, int64_t now, int64_t expires_at,
                      const char *address);
int db_session_get(struct db_conn *c, const unsigned char *token_hash, size_t hlen,
                   db_session_fn fn, void *cls);
int db_session_touch(struct db_conn *c, int64_t id, int64_t now);
int db_session_delete(struct db_conn *c, int64_t id);
/* Removes sessions idle since before idle_cutoff or past expiry. */
int db_sessions_expire(struct db_conn *c, int64_t now, int64_t idle_cutoff);

int db_token_insert(struct db_conn *c, const unsigned char *token_hash, size_t hlen,
                    int64_t user_id, const char *name, int64_t now, int64_t *id);
/* Returns 1 with *user_id for a live token, 0 when unknown or revoked. */
int db_token_user(struct db_conn *c, const unsigned char *token_hash, size_t hlen,
                  int64_t *user_id);

/* ---- cases (db/cases.c) ------------------------------------------------- */

/* Times are epoch seconds, 0 meaning "not yet" (NULL in the table). */
struct db_case {
    int64_t id;
    const char *code, *state, *grid_code, *description, *address, *channel, *reporter_name,
        *level, *rating, *rating_comment, *supervise_note;
    const char *client_key; /* written at insert only: the reporting device's key */
    int64_t category_id, reporter_user_id, dept_id, merged_into, limit_hours;
    const void *reporter_phone;
    size_t reporter_phone_len;
    double lat, lng;
    bool has_location;
    int anonymous, warn, overdue, supervised;
    int64_t stage_started_at, stage_limit_s, yellow_at, deadline_at, supervise_deadline;
    int64_t rework_count, return_count, escalations;
    int64_t accepted_at, dispatched_at, started_at, handled_at, closed_at, rated_at;
    int64_t created_at, updated_at, version;
    /* Joined, read-only. */
    const char *category_code, *category_name, *dept_name, *grid_name;
};
typedef int (*db_case_fn)(void *cls, const struct db_case *c);

struct db_case_filter {
    /* Visibility: grid prefixes with an optional department each (0 = any;
     * unused prefix = NULL), or cases reported by `reporter` (0 = none). */
    const char *scopes[DB_MAX_SCOPES];
    int64_t scope_depts[DB_MAX_SCOPES];
    int64_t reporter;
    /* Narrowing, all optional. */
    const char *state, *region, *channel, *text;
    int64_t dept_id, category_id;   /* category: itself and its sub-categories */
    int overdue, supervised;        /* -1 = either */
    int64_t from, to;               /* created_at range, 0 = open */
    int64_t before_id;              /* cursor: newest first */
    int64_t limit;
};
int db_cases_list(struct db_conn *c, const struct db_case_filter *f, db_case_fn fn, void *cls);
/* Counts per state over the cases the filter selects (cursor and limit
 * aside). */
struct db_case_counts {
    const char *state;
    int64_t cases, overdue, supervised, yellow, red;
};
typedef int (*db_case_counts_fn)(void *cls, const struct db_case_counts *n);
int db_cases_summary(struct db_conn *c, const struct db_case_filter *f, db_case_counts_fn fn,
                     void *cls);
int db_case_get(struct db_conn *c, int64_t id, db_case_fn fn, void *cls);
/* Inserts the reported case; returns 1 with *id, DB_UNIQUE on a code clash. */
int db_case_insert(struct db_conn *c, const struct db_case *k, int64_t now, int64_t *id);
/* The case this reporter sent with this client key: 1 with *id, or 0. */
int db_case_by_key(struct db_conn *c, int64_t reporter, const char *key, int64_t *id);
/* Writes every mutable field of k when the row is at if_version; 1 when
 * saved, 0 on a version mismatch. */
int db_case_save(struct db_conn *c, const struct db_case *k, int64_t if_version, int64_t now);
/* Records the instant the case first went past a deadline (kept when set). */
int db_case_mark_overdue(struct db_conn *c, int64_t id, int64_t at);
/* Records the working seconds the department took to start it. */
int db_case_set_response(struct db_conn *c, int64_t id, int64_t seconds);
/* Cases of a county (6-digit prefix) created on a local date "YYYYMMDD". */
int db_case_count_on(struct db_conn *c, const char *code_prefix, int64_t *n);
/* Open cases of the category created since `since` within the box, or at
 * the same address, for duplicate hints. */
int db_cases_near(struct db_conn *c, int64_t category_id, int64_t since, double lat, double lng,
                  double dlat, double dlng, const char *address, db_case_fn fn, void *cls);
/* Cases whose yellow or deadline instant has come (the sweep's work). */
int db_cases_due(struct db_conn *c, int64_t now, int64_t limit, db_case_fn fn, void *cls);

/* A timeline entry of a case or an errand (subject_id is its id). */
struct db_event {
    int64_t id, subject_id, at, actor_user_id;
    const char *actor_name, *action, *from_state, *to_state, *note, *data;
};
typedef int (*db_event_fn)(void *cls, const struct db_event *e);
int db_case_event_insert(struct db_conn *c, const struct db_event *e);
int db_case_events(struct db_conn *c, int64_t case_id, db_event_fn fn, void *cls);

/* The routing rule for a category (or its parent) covering a grid: the
 * department and the limit (0 = the category's). Returns 1 when found. */
int db_route_find(struct db_conn *c, int64_t category_id, const char *grid_code, int64_t *dept_id,
                  int64_t *limit_hours);
struct db_route {
    int64_t id, category_id, dept_id, time_limit_hours, version;
    const char *category_code, *region_code, *dept_name;
};
typedef int (*db_route_fn)(void *cls, const struct db_route *r);
int db_routes_list(struct db_conn *c, db_route_fn fn, void *cls);
/* Inserts or replaces the rule for (category, region); returns 1 with *id. */
int db_route_upsert(struct db_conn *c, int64_t category_id, const char *region_code,
                    const char *region_prefix, int64_t dept_id, int64_t limit_hours, int64_t now,
                    int64_t *id);

/* Photos of a case: metadata, and the cleaned bytes on request. */
struct db_photo {
    int64_t id, case_id, width, height, bytes, uploaded_by, created_at;
    const char *step, *mime, *sha256, *uploader_name;
};
/* fn gets data (p->bytes long) from db_photo_get, NULL from db_photos_list. */
typedef int (*db_photo_fn)(void *cls, const struct db_photo *p, const void *data);
int db_photo_insert(struct db_conn *c, const struct db_photo *p, const void *data, int64_t now,
                    int64_t *id);
int db_photos_list(struct db_conn *c, int64_t case_id, db_photo_fn fn, void *cls);
int db_photo_get(struct db_conn *c, int64_t case_id, int64_t photo_id, db_photo_fn fn, void *cls);

/* ---- errands: the service catalog, errands, the ledger (db/errands.c) ---------- */

struct db_service {
    int64_t id, dept_id, promised_days, fee_cents;
    const char *code, *name, *category;
    const char *materials, *venues; /* JSON arrays of strings */
    int active;
    int64_t created_at, updated_at, version;
    const char *dept_name; /* joined */
};
typedef int (*db_service_fn)(void *cls, const struct db_service *s);
/* The catalog ordered by code; category and q (name contains) narrow it,
 * active_only drops retired items. */
int db_services_list(struct db_conn *c, const char *category, const char *q, bool active_only,
                     db_service_fn fn, void *cls);
int db_service_get(struct db_conn *c, int64_t id, db_service_fn fn, void *cls);
/* Returns 1 with *id, DB_UNIQUE when the code exists, DB_FOREIGN for an
 * unknown department. */
int db_service_insert(struct db_conn *c, const struct db_service *s, int64_t now, int64_t *id);
/* Writes every mutable field when the row is at if_version: 1, or 0. */
int db_service_save(struct db_conn *c, const struct db_service *s, int64_t if_version,
                    int64_t now);

struct db_errand {
    int64_t id, service_id, household_id, resident_user_id, registered_by, agent_user_id;
    const char *code, *grid_code, *resident_name, *notes, *channel, *state, *dept_ref, *result,
        *confirm_method;
    const char *materials; /* JSON [{"name", "received", "returned"}] */
    const void *resident_phone, *confirm_code; /* sealed */
    size_t resident_phone_len, confirm_code_len;
    int64_t deadline_at, code_expires_at, code_attempts;
    int overdue;
    int64_t created_at, updated_at, version;
    /* Joined, read-only. */
    const char *service_code, *service_name, *dept_name, *grid_name, *village_name,
        *registered_by_name, *agent_name;
    int64_t dept_id, promised_days;
    bool has_signature;
};
typedef int (*db_errand_fn)(void *cls, const struct db_errand *e);

struct db_errand_filter {
    /* Visibility as for cases: grid prefixes with an optional department
     * (the service's deciding one), or the resident's own errands. */
    const char *scopes[DB_MAX_SCOPES];
    int64_t scope_depts[DB_MAX_SCOPES];
    int64_t resident;
    /* Narrowing, all optional. */
    const char *state, *box, *region, *text;
    int64_t service_id, agent_id;
    int overdue;          /* -1 either; overdue = flagged, or red and past the deadline at `now` */
    int64_t now;
    int64_t from, to;     /* created_at range, 0 = open */
    int64_t before_id;    /* cursor, newest first (lists) */
    int64_t after_id;     /* cursor, oldest first (the ledger) */
    int64_t limit;
};
int db_errands_list(struct db_conn *c, const struct db_errand_filter *f, db_errand_fn fn,
                    void *cls);
int db_errand_get(struct db_conn *c, int64_t id, db_errand_fn fn, void *cls);
/* Inserts a registered errand; returns 1 with *id, DB_UNIQUE on a code clash. */
int db_errand_insert(struct db_conn *c, const struct db_errand *e, int64_t now, int64_t *id);
/* Writes the mutable fields when the row is at if_version: 1, or 0. */
int db_errand_save(struct db_conn *c, const struct db_errand *e, int64_t if_version, int64_t now);
/* Errands whose code starts with prefix (for the day's sequence). */
int db_errand_count_on(struct db_conn *c, const char *code_prefix, int64_t *n);
/* Red-box errands whose deadline has come and that are not yet flagged. */
int db_errands_due(struct db_conn *c, int64_t now, int64_t limit, db_errand_fn fn, void *cls);

int db_errand_event_insert(struct db_conn *c, const struct db_event *e);
int db_errand_events(struct db_conn *c, int64_t errand_id, db_event_fn fn, void *cls);

/* The ledger: each errand with, per step, when it last happened and who
 * did it, in the order of DB_LEDGER_STEPS. */
#define DB_LEDGER_STEPS {"accept", "submit", "complete", "notify", "confirm", "cancel", \
                         "return_materials"}
#define DB_LEDGER_NSTEPS 7
struct db_ledger_row {
    const struct db_errand *e;
    int64_t at[DB_LEDGER_NSTEPS];
    const char *by[DB_LEDGER_NSTEPS];
};
typedef int (*db_ledger_fn)(void *cls, const struct db_ledger_row *row);
/* Oldest first, from f->after_id. */
int db_errand_ledger(struct db_conn *c, const struct db_errand_filter *f, db_ledger_fn fn,
                     void *cls);

int db_errand_signature_put(struct db_conn *c, int64_t errand_id, int64_t width, int64_t height,
                            const char *sha256, const void *png, size_t len, int64_t now);
/* fn gets the PNG bytes; 1 when there is one. */
typedef int (*db_blob_fn)(void *cls, const void *data, size_t len);
int db_errand_signature(struct db_conn *c, int64_t errand_id, db_blob_fn fn, void *cls);

/* ---- participation: opinions (db/opinions.c) ------------------------------------ */

struct db_opinion {
    int64_t id, author_user_id, recorded_by, decided_by, case_id, visit_id;
    const char *code, *kind, *channel, *category, *body, *region_code, *author_name, *state,
        *reply;
    int64_t decided_at, created_at, updated_at, version;
    /* Joined, read-only. */
    const char *region_name, *recorded_by_name, *decided_by_name, *case_code;
};
typedef int (*db_opinion_fn)(void *cls, const struct db_opinion *o);

struct db_opinion_filter {
    /* Visibility: region prefixes ("" = everywhere, unused = NULL) or the
     * opinions a resident wrote themselves (author, 0 = none). */
    const char *scopes[DB_MAX_SCOPES];
    int64_t author;
    /* Narrowing, all optional. */
    const char *state, *kind, *channel, *category, *region, *text;
    int64_t from, to;   /* created_at range, 0 = open */
    int64_t before_id;  /* cursor: newest first */
    int64_t limit;
};
int db_opinions_list(struct db_conn *c, const struct db_opinion_filter *f, db_opinion_fn fn,
                     void *cls);
int db_opinion_get(struct db_conn *c, int64_t id, db_opinion_fn fn, void *cls);
/* Inserts a new opinion; 1 with *id, DB_UNIQUE on a code clash. */
int db_opinion_insert(struct db_conn *c, const struct db_opinion *o, int64_t now, int64_t *id);
/* Writes state, reply, decided_by/at and case_id at if_version: 1, or 0. */
int db_opinion_save(struct db_conn *c, const struct db_opinion *o, int64_t if_version,
                    int64_t now);
int db_opinion_count_on(struct db_conn *c, const char *code_prefix, int64_t *n);
/* Counts of the filtered opinions (cursor and limit aside) per key and
 * state: the key is the channel (key_len 0) or the first key_len digits of
 * the region code (the child regions of a prefix), with its name. */
typedef int (*db_count_fn)(void *cls, const char *key, const char *name, const char *state,
                           int64_t n);
int db_opinions_stats(struct db_conn *c, const struct db_opinion_filter *f, int key_len,
                      db_count_fn fn, void *cls);
/* The opinion or visit a case came from: fn gets ("opinion"|"visit", id, code). */
typedef int (*db_origin_fn)(void *cls, const char *kind, int64_t id, const char *code);
int db_case_origin(struct db_conn *c, int64_t case_id, db_origin_fn fn, void *cls);

/* Timeline entries of opinions and commitments (participation_events). */
int db_opinion_event_insert(struct db_conn *c, const struct db_event *e);
int db_commitment_event_insert(struct db_conn *c, const struct db_event *e);
int db_participation_events(struct db_conn *c, const char *subject, int64_t id, db_event_fn fn,
                            void *cls);

/* ---- polls and evaluations (db/polls.c) ---------------------------------------- */

/* A poll (百姓点菜) or an evaluation (群众评议): both are votes of a
 * region's residents, open between two instants and closed once. */
struct db_vote {
    int64_t id, created_by, closed_by, max_picks, top_n, period_from, period_to;
    const char *title, *description, *region_code, *region_prefix, *results;
    int64_t opens_at, closes_at, closed_at, created_at, updated_at, version;
    /* Joined, read-only. */
    const char *region_name;
    int64_t ballots;
};
typedef int (*db_vote_fn)(void *cls, const struct db_vote *v);
enum db_vote_kind { DB_POLL, DB_EVALUATION };
/* Newest first. `near` (a region code's prefix, optional) keeps those whose
 * region holds it or lies under it; phase "upcoming", "open", "closed"
 * (NULL any) as of now. */
int db_votes_list(struct db_conn *c, enum db_vote_kind k, const char *near, const char *phase,
                  int64_t now, int64_t before_id, int64_t limit, db_vote_fn fn, void *cls);
int db_vote_get(struct db_conn *c, enum db_vote_kind k, int64_t id, db_vote_fn fn, void *cls);
int db_vote_insert(struct db_conn *c, enum db_vote_kind k, const struct db_vote *v, int64_t now,
                   int64_t *id);
/* Closes it at if_version with the published results: 1, or 0. */
int db_vote_close(struct db_conn *c, enum db_vote_kind k, int64_t id, int64_t if_version,
                  int64_t by, const char *results, int64_t now);
/* Open ones whose closing time has come (the sweep's). */
int db_votes_due(struct db_conn *c, enum db_vote_kind k, int64_t now, int64_t limit,
                 db_vote_fn fn, void *cls);
/* Records the voter's ballot: 1 with *id, DB_UNIQUE when they voted already. */
int db_ballot_insert(struct db_conn *c, enum db_vote_kind k, int64_t vote_id, int64_t voter,
                     int64_t now, int64_t *id);
/* The voter's ballot id: 1 with *id, 0 when they have not voted. */
int db_ballot_of(struct db_conn *c, enum db_vote_kind k, int64_t vote_id, int64_t voter,
                 int64_t *id);

/* A poll's project, with its votes so far; or an evaluation's target with
 * its grade counts (votes = satisfied, votes2 = basically, votes3 = dis-). */
struct db_vote_item {
    int64_t id, position, user_id, dept_id, votes, votes2, votes3;
    const char *title, *description; /* for a target: its name and role/region */
    bool picked;                     /* by the `voter` asked about */
};
typedef int (*db_vote_item_fn)(void *cls, const struct db_vote_item *it);
int db_vote_items(struct db_conn *c, enum db_vote_kind k, int64_t vote_id, int64_t voter,
                  db_vote_item_fn fn, void *cls);
int db_poll_option_insert(struct db_conn *c, int64_t poll_id, int64_t position,
                          const char *title, const char *description);
int db_poll_pick_insert(struct db_conn *c, int64_t ballot_id, int64_t poll_id, int64_t option_id);
/* DB_FOREIGN when user_id or dept_id does not exist. */
int db_evaluation_target_insert(struct db_conn *c, int64_t eval_id, int64_t position,
                                int64_t user_id, int64_t dept_id);
int db_evaluation_grade_insert(struct db_conn *c, int64_t ballot_id, int64_t eval_id,
                               int64_t target_id, const char *grade);

/* ---- public commitments (db/commitments.c) --------------------------------------- */

struct db_commitment {
    int64_t id, owner_user_id, owner_dept_id, year, due_at, progress, completed_at, reviewed_at,
        reviewed_by, created_by;
    const char *title, *content, *region_code, *state, *review_note;
    int overdue;
    int64_t created_at, updated_at, version;
    /* Joined, read-only. */
    const char *owner_name, *region_name, *reviewed_by_name;
};
typedef int (*db_commitment_fn)(void *cls, const struct db_commitment *k);
struct db_commitment_filter {
    const char *region, *state; /* region: a prefix, optional */
    int64_t year, owner_user, owner_dept;
    int veto, overdue;          /* -1 = either */
    int64_t before_id, limit;
};
int db_commitments_list(struct db_conn *c, const struct db_commitment_filter *f,
                        db_commitment_fn fn, void *cls);
int db_commitment_get(struct db_conn *c, int64_t id, db_commitment_fn fn, void *cls);
int db_commitment_insert(struct db_conn *c, const struct db_commitment *k, int64_t now,
                         int64_t *id);
/* Writes progress, state, overdue, completed/reviewed at if_version: 1, or 0. */
int db_commitment_save(struct db_conn *c, const struct db_commitment *k, int64_t if_version,
                       int64_t now);
/* Active, not yet flagged, due by now (the sweep's). */
int db_commitments_due(struct db_conn *c, int64_t now, int64_t limit, db_commitment_fn fn,
                       void *cls);
/* Vetoing commitments (overdue or failed) of a user or a department, due
 * within [from, to). */
int db_commitment_vetoes(struct db_conn *c, int64_t user_id, int64_t dept_id, int64_t from,
                         int64_t to, int64_t *n);

/* ---- household visits (db/visits.c) ------------------------------------------------ */

struct db_visit {
    int64_t id, household_id, visitor_user_id, visited_at, follow_up_done_at, case_id,
        opinion_id;
    const char *grid_code, *kind, *heard, *follow_up, *client_key;
    int64_t created_at, updated_at, version;
    /* Joined, read-only. */
    const char *visitor_name, *household_head, *address_area, *grid_name, *case_code,
        *opinion_code;
};
typedef int (*db_visit_fn)(void *cls, const struct db_visit *v);
struct db_visit_filter {
    const char *scopes[DB_MAX_SCOPES]; /* visibility as for households */
    int64_t linked_user;               /* households linked to this party member */
    const char *region;
    int64_t household_id, visitor_id;
    int64_t from, to;                  /* visited_at range, 0 = open */
    int64_t before_id, limit;
};
int db_visits_list(struct db_conn *c, const struct db_visit_filter *f, db_visit_fn fn,
                   void *cls);
int db_visit_get(struct db_conn *c, int64_t id, db_visit_fn fn, void *cls);
/* The visit a visitor sent with this idempotency key, if any. */
int db_visit_by_key(struct db_conn *c, int64_t visitor, const char *key, db_visit_fn fn,
                    void *cls);
int db_visit_insert(struct db_conn *c, const struct db_visit *v, int64_t now, int64_t *id);
/* Writes follow_up_done_at, case_id and opinion_id at if_version: 1, or 0. */
int db_visit_save(struct db_conn *c, const struct db_visit *v, int64_t if_version, int64_t now);
/* Per grid under prefix: households, and households visited in [from, to). */
typedef int (*db_coverage_fn)(void *cls, const char *grid_code, const char *grid_name,
                              int64_t households, int64_t visited);
int db_visit_coverage(struct db_conn *c, const char *prefix, int64_t from, int64_t to,
                      db_coverage_fn fn, void *cls);

/* ---- points (db/points.c) -------------------------------------------------------------- */

/* Rules an admin changed from their defaults: fn gets (code, points,
 * active, version). */
typedef int (*db_point_rule_fn)(void *cls, const char *code, int64_t points, int active,
                                int64_t version);
int db_point_rules(struct db_conn *c, db_point_rule_fn fn, void *cls);
/* Writes the rule when its version is if_version (0: still the default):
 * 1 when written, 0 on a version mismatch. */
int db_point_rule_put(struct db_conn *c, const char *code, int64_t points, int active,
                      int64_t if_version, int64_t now);
/* The cadres with a role (not resident) inside prefix ("" = all), optionally
 * of one role: fn gets (id, name, role, region code or NULL). */
typedef int (*db_member_fn)(void *cls, int64_t id, const char *name, const char *role,
                            const char *region);
int db_region_members(struct db_conn *c, const char *prefix, const char *role, db_member_fn fn,
                      void *cls);
/* Deeds counted for the points rules in [from, to) (see DESIGN.md): fn
 * gets (user id, rule code, count). */
typedef int (*db_deed_fn)(void *cls, int64_t user_id, const char *rule, int64_t n);
int db_points_deeds(struct db_conn *c, int64_t from, int64_t to, db_deed_fn fn, void *cls);

/* ---- numbers (db/stats.c) ---------------------------------------------------------- */

/* The window and the cases counted: visibility as for case lists, then
 * optional narrowing. */
struct db_stats_filter {
    int64_t from, to;                  /* [from, to) */
    const char *scopes[DB_MAX_SCOPES]; /* grid prefixes ("" everywhere, NULL unused) */
    int64_t scope_depts[DB_MAX_SCOPES];
    int64_t reporter;                  /* also the cases this user reported (0 none) */
    const char *region;                /* a region or grid prefix */
    int64_t dept_id, category_id;      /* category: itself and its sub-categories */
};
enum db_stats_key {
    DB_BY_TOTAL, DB_BY_DEPT, DB_BY_GRID, DB_BY_REGION, DB_BY_CATEGORY, DB_BY_SUBCATEGORY,
    DB_BY_CHANNEL, DB_BY__COUNT
};
/* The counts of core/kpi.h, in the order of enum kpi_count. */
#define DB_KPI_NCOUNTS 15
/* fn gets the key (department id as text, grid or region code, top or
 * sub-category code, channel; "" for the total), its name and counts. It
 * is called twice per key: once with the case counts (the last two 0),
 * once with the event counts (escalations, supervised; the rest 0). */
typedef int (*db_kpi_fn)(void *cls, const char *key, const char *name,
                         const int64_t n[DB_KPI_NCOUNTS]);
/* key_len: the region key's digits (9, 12 or 15); response_limit: working
 * seconds within which a start counts as a response. */
int db_stats_kpis(struct db_conn *c, const struct db_stats_filter *f, enum db_stats_key key,
                  int key_len, int64_t response_limit, db_kpi_fn fn, void *cls);
/* Per local day (days since 1970 at offset_s east of UTC): "received",
 * "closed_on_time", "closed_late", "overdue" (went past a deadline). */
typedef int (*db_day_count_fn)(void *cls, int64_t day, const char *series, int64_t n);
int db_stats_daily(struct db_conn *c, const struct db_stats_filter *f, int offset_s,
                   db_day_count_fn fn, void *cls);

/* A place (a grid, or a cell "y:x" of dlat x dlng degrees) with counts. */
struct db_place {
    const char *key, *name;   /* grid code and name; or cell key and a grid name in it */
    int64_t count, baseline;  /* in the window; before it (hotspots) */
    double lat, lng;          /* the mean of the cases' locations (cells) */
    const char *category_code, *category_name; /* recurring problems */
    int64_t latest_id;
    const char *latest_code;
};
typedef int (*db_place_fn)(void *cls, const struct db_place *p);
/* Places with reports in [window_from, f->to), each with its count there
 * and its count in [f->from, window_from) (the baseline). */
int db_stats_hotspots(struct db_conn *c, const struct db_stats_filter *f, int64_t window_from,
                      double dlat, double dlng, bool cells, db_place_fn fn, void *cls);
/* (place, category) reported at least min_count times in the window. */
int db_stats_recurring(struct db_conn *c, const struct db_stats_filter *f, int64_t min_count,
                       double dlat, double dlng, bool cells, db_place_fn fn, void *cls);
/* Open cases per grid: count = open, baseline = of them overdue. */
int db_stats_open_by_grid(struct db_conn *c, const struct db_stats_filter *f, db_place_fn fn,
                          void *cls);

/* Open cases by state (open states only, through the cases_open index):
 * counts, overdue, supervised, yellow and red. */
int db_stats_open_by_state(struct db_conn *c, const struct db_stats_filter *f,
                           db_case_counts_fn fn, void *cls);

/* A closed case as the public board shows it: nothing personal. */
struct db_board_case {
    int64_t id, created_at, closed_at;
    const char *code, *category_name, *grid_name, *village_name, *dept_name, *rating;
    bool on_time;
};
typedef int (*db_board_fn)(void *cls, const struct db_board_case *b);
/* Closed cases, newest close first, before the cursor (closed_at, id). */
int db_stats_board(struct db_conn *c, int64_t before_closed, int64_t before_id, int64_t limit,
                   db_board_fn fn, void *cls);
/* Gauges for /metrics: fn gets (name, "", label, value): cases per state,
 * open overdue and supervised cases, overdue errands, the outbox backlog. */
int db_stats_gauges(struct db_conn *c, db_count_fn fn, void *cls);
/* Around the cases, under a region prefix ("" everywhere), fn gets (name,
 * "", "", n): errands in the red box, blue box, overdue and confirmed in
 * [from, to); opinions heard in the window and still waiting; visits and
 * households visited in the window, households; polls open now;
 * commitments under way and vetoing. */
int db_stats_activity(struct db_conn *c, const char *prefix, int64_t from, int64_t to,
                      db_count_fn fn, void *cls);

/* ---- calendar (db/calendar.c) --------------------------------------------- */

struct wt_calendar;
struct wt_exception;
/* Loads the working-time calendar: *ex is malloc'd (free it), holding the
 * exceptions from `from_day` on (local days). */
int db_calendar_load(struct db_conn *c, struct wt_calendar *cal, int offset_min,
                     struct wt_exception **ex, int64_t from_day);
int db_calendar_set_hours(struct db_conn *c, const char *periods_json, const char *weekdays_json,
                          int64_t now);
int db_calendar_set_day(struct db_conn *c, const char *day, int works, const char *note,
                        int64_t now);
int db_calendar_delete_day(struct db_conn *c, const char *day);
typedef int (*db_day_fn)(void *cls, const char *day, int works, const char *note);
int db_calendar_days(struct db_conn *c, const char *from, const char *to, db_day_fn fn, void *cls);
int db_calendar_hours(struct db_conn *c, char *periods, size_t plen, char *weekdays, size_t wlen);

/* ---- notifications, outbox, audit (db/notify.c) ---------------------------- */

/* Users holding `role` whose assignment matches: region exactly `region`
 * (NULL: any) and department `dept_id` (0: any). fn gets (id, name). */
int db_users_with_role(struct db_conn *c, const char *role, const char *region, int64_t dept_id,
                       db_person_fn fn, void *cls);
/* An inbox row about a subject ("case", "errand", "opinion", "poll",
 * "commitment", ...) and its id. */
int db_notify(struct db_conn *c, int64_t user_id, const char *subject, int64_t subject_id,
              const char *kind, const char *title, const char *body, int64_t now);
struct db_notification {
    int64_t id, case_id, errand_id, subject_id, created_at, read_at;
    const char *kind, *title, *body, *subject; /* subject NULL for none */
};
typedef int (*db_notification_fn)(void *cls, const struct db_notification *n);
int db_notifications(struct db_conn *c, int64_t user_id, bool unread_only, int64_t before_id,
                     int64_t limit, db_notification_fn fn, void *cls);
/* Marks the user's notifications up to and including up_to_id read. */
int db_notifications_read(struct db_conn *c, int64_t user_id, int64_t up_to_id, int64_t now);
int db_outbox_add(struct db_conn *c, const char *kind, const char *payload, int64_t now);
/* Unsent rows whose next attempt is due, oldest first: fn gets (id, kind,
 * payload, created_at, attempts so far). */
typedef int (*db_outbox_fn)(void *cls, int64_t id, const char *kind, const char *payload,
                            int64_t created_at, int64_t attempts);
int db_outbox_due(struct db_conn *c, int64_t now, int64_t limit, db_outbox_fn fn, void *cls);
int db_outbox_done(struct db_conn *c, int64_t id, int64_t now);
int db_outbox_retry(struct db_conn *c, int64_t id, int64_t next_at, const char *error);

/* Appends to the hash chain: hash = SHA-256(prev_hash || canonical JSON of
 * {at, actor, action, subject, subject_id, data}). data is a JSON text. */
int db_audit_append(struct db_conn *c, int64_t actor, const char *action, const char *subject,
                    int64_t subject_id, const char *data, int64_t now);
/* Walks the chain in order; returns 0 when whole, or the id of the first
 * row whose hash or link does not match (and < 0 on a database error).
 * *rows gets the number of rows checked. */
int64_t db_audit_verify(struct db_conn *c, int64_t *rows);

#endif

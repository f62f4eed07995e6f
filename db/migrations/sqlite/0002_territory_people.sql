-- Territory (regions, grids), departments, households and 联户 links,
-- users with scoped roles, sessions, API tokens, and the personal-data
-- access log. Personal data (ID numbers, phones, exact addresses, TOTP
-- secrets) is stored only as AEAD ciphertext (nonce || box); the key lives
-- outside the database.

-- county (6 digits + 000000), town (9 + 000), village/community (12).
CREATE TABLE regions (
    code        TEXT    PRIMARY KEY CHECK (length(code) = 12),
    name        TEXT    NOT NULL,
    level       TEXT    NOT NULL CHECK (level IN ('county', 'town', 'village')),
    parent_code TEXT    REFERENCES regions(code),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX regions_parent ON regions(parent_code);

-- A grid: its village's 12-digit code plus a 3-digit sequence.
CREATE TABLE grids (
    code         TEXT    PRIMARY KEY CHECK (length(code) = 15),
    name         TEXT    NOT NULL,
    village_code TEXT    NOT NULL REFERENCES regions(code),
    geometry     TEXT    NOT NULL,          -- GeoJSON Polygon or MultiPolygon
    min_lat REAL NOT NULL, min_lng REAL NOT NULL, max_lat REAL NOT NULL, max_lng REAL NOT NULL,
    duty_phone   TEXT    NOT NULL DEFAULT '', -- the grid's public duty line
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX grids_village ON grids(village_code);
CREATE INDEX grids_bbox ON grids(min_lat, max_lat, min_lng, max_lng);

CREATE TABLE departments (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    region_code TEXT    NOT NULL REFERENCES regions(code), -- the area it serves
    phone       TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE households (
    id             INTEGER PRIMARY KEY,
    grid_code      TEXT    NOT NULL REFERENCES grids(code),
    address_area   TEXT    NOT NULL,   -- public part: 村组 / 小区楼栋
    address_detail BLOB,               -- sealed: 门牌 / 单元室
    head_name      TEXT    NOT NULL,
    head_id_number BLOB,               -- sealed
    phone          BLOB,               -- sealed
    members        INTEGER NOT NULL DEFAULT 1 CHECK (members BETWEEN 1 AND 30),
    tags           TEXT    NOT NULL DEFAULT '[]', -- JSON array: 低保户, 独居老人, ...
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX households_grid ON households(grid_code, id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT    NOT NULL,
    phone         BLOB,                -- sealed
    password_hash TEXT    NOT NULL,    -- argon2id string
    totp_secret   BLOB,                -- sealed; NULL until enrolment starts
    totp_enabled  INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  INTEGER NOT NULL DEFAULT 0,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
) STRICT;

-- A role holds within a scope: a region subtree (county, town, village or
-- grid code; NULL = everywhere) and/or a department.
CREATE TABLE role_assignments (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role        TEXT    NOT NULL CHECK (role IN ('resident', 'grid_worker', 'party_member', 'agent',
                    'dispatcher', 'dept_staff', 'dept_head', 'supervisor', 'leader', 'auditor', 'admin')),
    region_code TEXT,
    dept_id     INTEGER REFERENCES departments(id),
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX role_assignments_user ON role_assignments(user_id);
CREATE UNIQUE INDEX role_assignments_once
    ON role_assignments(user_id, role, coalesce(region_code, ''), coalesce(dept_id, 0));

-- 联户: a party member looks after some households.
CREATE TABLE party_links (
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    household_id INTEGER NOT NULL REFERENCES households(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, household_id)
) STRICT;
CREATE INDEX party_links_household ON party_links(household_id);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB    NOT NULL UNIQUE,  -- BLAKE2b of the cookie value
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,         -- absolute expiry
    address      TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB    NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL DEFAULT 0,
    revoked      INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Every time someone sees personal data unmasked.
CREATE TABLE pii_access_log (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    subject     TEXT    NOT NULL,          -- 'household' | 'user'
    subject_id  INTEGER NOT NULL,
    fields      TEXT    NOT NULL,          -- e.g. "head_id_number,phone,address_detail"
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX pii_access_subject ON pii_access_log(subject, subject_id);

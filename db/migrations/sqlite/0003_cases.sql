-- The case loop: cases and their timeline, routing rules, the working-time
-- calendar, notifications with an outbox for the SMS gateway, and the
-- hash-chained audit log.

CREATE TABLE calendar_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    periods    TEXT    NOT NULL,  -- JSON [[start_min, end_min], ...]
    weekdays   TEXT    NOT NULL,  -- JSON [1,2,3,4,5]: 0 = Sunday
    updated_at INTEGER NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
) STRICT;
INSERT INTO calendar_settings (id, periods, weekdays, updated_at)
    VALUES (1, '[[510,720],[810,1080]]', '[1,2,3,4,5]', 0);

-- Exceptions to the weekly pattern: holidays (works = 0) and make-up
-- workdays (调休, works = 1). day is the local date YYYY-MM-DD.
CREATE TABLE calendar_days (
    day        TEXT    PRIMARY KEY CHECK (length(day) = 10),
    works      INTEGER NOT NULL CHECK (works IN (0, 1)),
    note       TEXT    NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
) STRICT;

-- (category, region) -> department and time limit. A rule on a top-level
-- category covers its sub-categories; the most specific rule wins.
CREATE TABLE routing_rules (
    id               INTEGER PRIMARY KEY,
    category_id      INTEGER NOT NULL REFERENCES categories(id),
    region_code      TEXT    NOT NULL,  -- region or grid code whose subtree it covers
    region_prefix    TEXT    NOT NULL,  -- its significant digits (6, 9, 12 or 15)
    dept_id          INTEGER NOT NULL REFERENCES departments(id),
    time_limit_hours INTEGER CHECK (time_limit_hours BETWEEN 1 AND 2000), -- NULL: the category's
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    UNIQUE (category_id, region_code)
) STRICT;

CREATE TABLE cases (
    id               INTEGER PRIMARY KEY,
    code             TEXT    NOT NULL UNIQUE,    -- county code + date + sequence
    state            TEXT    NOT NULL CHECK (state IN ('reported', 'accepted', 'rejected', 'merged',
                         'dispatched', 'in_progress', 'handled', 'closed')),
    category_id      INTEGER NOT NULL REFERENCES categories(id),
    grid_code        TEXT    NOT NULL REFERENCES grids(code),
    description      TEXT    NOT NULL,
    address          TEXT    NOT NULL DEFAULT '',
    lat              REAL,
    lng              REAL,
    channel          TEXT    NOT NULL CHECK (channel IN ('grid_worker', 'resident_app', 'phone',
                         'visit', 'letter', 'online', 'hotline', 'other')),
    reporter_user_id INTEGER REFERENCES users(id),
    reporter_name    TEXT    NOT NULL DEFAULT '',
    reporter_phone   BLOB,                       -- sealed
    anonymous        INTEGER NOT NULL DEFAULT 0,
    dept_id          INTEGER REFERENCES departments(id),
    level            TEXT    NOT NULL DEFAULT 'grid' CHECK (level IN ('grid', 'village', 'town', 'county')),
    merged_into      INTEGER REFERENCES cases(id),
    limit_hours      INTEGER NOT NULL,           -- the handling limit, working hours
    stage_started_at INTEGER,
    stage_limit_s    INTEGER,
    yellow_at        INTEGER,                    -- NULL once yellow (or not timed)
    deadline_at      INTEGER,                    -- NULL once handled past it at the top level
    warn             INTEGER NOT NULL DEFAULT 0 CHECK (warn IN (0, 1, 2)), -- green, yellow, red
    overdue          INTEGER NOT NULL DEFAULT 0, -- some stage passed its deadline
    supervised       INTEGER NOT NULL DEFAULT 0,
    supervise_deadline INTEGER,
    supervise_note   TEXT    NOT NULL DEFAULT '',
    rework_count     INTEGER NOT NULL DEFAULT 0,
    return_count     INTEGER NOT NULL DEFAULT 0,
    escalations      INTEGER NOT NULL DEFAULT 0,
    accepted_at      INTEGER,
    dispatched_at    INTEGER,
    started_at       INTEGER,
    handled_at       INTEGER,
    closed_at        INTEGER,
    rating           TEXT CHECK (rating IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
    rating_comment   TEXT    NOT NULL DEFAULT '',
    rated_at         INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX cases_grid ON cases(grid_code, id);
CREATE INDEX cases_state ON cases(state, id);
CREATE INDEX cases_dept ON cases(dept_id, id);
CREATE INDEX cases_reporter ON cases(reporter_user_id, id);
CREATE INDEX cases_category_time ON cases(category_id, created_at);
-- The sweep reads only cases whose clock has something to say.
CREATE INDEX cases_yellow ON cases(yellow_at) WHERE yellow_at IS NOT NULL;
CREATE INDEX cases_deadline ON cases(deadline_at) WHERE deadline_at IS NOT NULL;

CREATE TABLE case_events (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases(id),
    at            INTEGER NOT NULL,
    actor_user_id INTEGER REFERENCES users(id),  -- NULL: the system (sweep)
    action        TEXT    NOT NULL,
    from_state    TEXT,
    to_state      TEXT,
    note          TEXT    NOT NULL DEFAULT '',
    data          TEXT    NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX case_events_case ON case_events(case_id, id);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    case_id    INTEGER REFERENCES cases(id),
    kind       TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    read_at    INTEGER
) STRICT;
CREATE INDEX notifications_user ON notifications(user_id, id);

-- Written in the same transaction as the change it reports, so nothing is
-- sent for a change that did not commit and nothing committed goes unsent.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    sent_at         INTEGER,
    last_error      TEXT
) STRICT;
CREATE INDEX outbox_pending ON outbox(next_attempt_at) WHERE sent_at IS NULL;

-- hash = SHA-256(prev_hash || canonical JSON of the row's other fields).
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    actor_user_id INTEGER,
    action        TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    subject_id    INTEGER NOT NULL,
    data          TEXT    NOT NULL,
    prev_hash     TEXT    NOT NULL,
    hash          TEXT    NOT NULL
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

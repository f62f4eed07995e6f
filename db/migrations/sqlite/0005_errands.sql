-- Errands (全程代办): the service catalog, the errands staff run for
-- residents, and their history. The ledger (台账) is a query over
-- errand_events, not a second copy.

CREATE TABLE services (
    id            INTEGER PRIMARY KEY,
    code          TEXT    NOT NULL UNIQUE,   -- e.g. "DB001"
    name          TEXT    NOT NULL,
    category      TEXT    NOT NULL,          -- 社会保障, 民政救助, 户籍证照 ...
    dept_id       INTEGER NOT NULL REFERENCES departments(id),  -- the deciding department
    materials     TEXT    NOT NULL DEFAULT '[]',  -- JSON array of strings
    promised_days INTEGER NOT NULL CHECK (promised_days BETWEEN 1 AND 365),  -- working days
    fee_cents     INTEGER NOT NULL DEFAULT 0 CHECK (fee_cents >= 0),
    venues        TEXT    NOT NULL DEFAULT '["village"]',  -- JSON subset of village, center, online
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE errands (
    id               INTEGER PRIMARY KEY,
    code             TEXT    NOT NULL UNIQUE,  -- "DB" + county code + date + sequence
    service_id       INTEGER NOT NULL REFERENCES services(id),
    grid_code        TEXT    NOT NULL REFERENCES grids(code),
    household_id     INTEGER REFERENCES households(id),
    resident_user_id INTEGER REFERENCES users(id),  -- when the resident has an account
    resident_name    TEXT    NOT NULL,
    resident_phone   BLOB,                          -- sealed
    notes            TEXT    NOT NULL DEFAULT '',
    materials        TEXT    NOT NULL DEFAULT '[]', -- [{"name", "received", "returned"}]
    channel          TEXT    NOT NULL CHECK (channel IN ('village', 'center', 'online', 'visit')),
    state            TEXT    NOT NULL CHECK (state IN ('registered', 'accepted', 'submitted',
                         'completed', 'notified', 'confirmed', 'cancelled')),
    registered_by    INTEGER NOT NULL REFERENCES users(id),
    agent_user_id    INTEGER REFERENCES users(id),  -- who accepted it
    dept_ref         TEXT    NOT NULL DEFAULT '',   -- the department's receipt number
    result           TEXT    NOT NULL DEFAULT '',
    deadline_at      INTEGER NOT NULL,              -- promised working days from registration
    overdue          INTEGER NOT NULL DEFAULT 0 CHECK (overdue IN (0, 1)),
    confirm_code     BLOB,                          -- sealed one-time code, while one is out
    code_expires_at  INTEGER,
    code_attempts    INTEGER NOT NULL DEFAULT 0,
    confirm_method   TEXT CHECK (confirm_method IN ('code', 'signature')),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX errands_grid ON errands(grid_code, id);
CREATE INDEX errands_state ON errands(state, id);
CREATE INDEX errands_resident ON errands(resident_user_id, id);
-- The sweep reads only errands still in the red box whose deadline may pass.
CREATE INDEX errands_due ON errands(deadline_at)
    WHERE overdue = 0 AND state IN ('registered', 'accepted', 'submitted');

CREATE TABLE errand_events (
    id            INTEGER PRIMARY KEY,
    errand_id     INTEGER NOT NULL REFERENCES errands(id),
    at            INTEGER NOT NULL,
    actor_user_id INTEGER REFERENCES users(id),  -- NULL: the system (sweep)
    action        TEXT    NOT NULL,
    from_state    TEXT,
    to_state      TEXT,
    note          TEXT    NOT NULL DEFAULT '',
    data          TEXT    NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX errand_events_errand ON errand_events(errand_id, id);

-- The resident's sign-off (签名销号) as a cleaned PNG.
CREATE TABLE errand_signatures (
    errand_id  INTEGER PRIMARY KEY REFERENCES errands(id),
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    sha256     TEXT    NOT NULL,
    data       BLOB    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

ALTER TABLE notifications ADD COLUMN errand_id INTEGER REFERENCES errands(id);

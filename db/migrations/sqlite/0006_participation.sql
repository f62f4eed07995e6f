-- Participation (DESIGN.md "Participation"): opinions and ideas from six
-- channels, polls on livelihood projects (百姓点菜), public commitments
-- (公开承诺), household visits (走访/民情日记), the points rule table (积分)
-- and residents' evaluations of cadres (群众评议). Rankings and results are
-- queries over this history, not second copies.

CREATE TABLE opinions (
    id             INTEGER PRIMARY KEY,
    code           TEXT    NOT NULL UNIQUE,  -- "YJ" + county code + date + sequence
    kind           TEXT    NOT NULL CHECK (kind IN ('opinion', 'idea')),
    channel        TEXT    NOT NULL CHECK (channel IN ('collection', 'meeting', 'letter',
                               'visit', 'phone', 'online')),
    category       TEXT    NOT NULL CHECK (category IN ('development', 'infrastructure',
                               'environment', 'livelihood', 'safety', 'conduct', 'other')),
    body           TEXT    NOT NULL,
    region_code    TEXT    NOT NULL,         -- a region (12 digits) or a grid (15)
    author_name    TEXT    NOT NULL DEFAULT '',
    author_user_id INTEGER REFERENCES users(id),  -- a resident who wrote it themselves
    recorded_by    INTEGER NOT NULL REFERENCES users(id),
    state          TEXT    NOT NULL CHECK (state IN ('new', 'replied', 'adopted', 'not_adopted')),
    reply          TEXT    NOT NULL DEFAULT '',   -- the answer, or the reasons it was not adopted
    decided_by     INTEGER REFERENCES users(id),
    decided_at     INTEGER,
    case_id        INTEGER REFERENCES cases(id),  -- when it was turned into a case
    visit_id       INTEGER,                       -- the visit it was heard on
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX opinions_region ON opinions(region_code, id);
CREATE INDEX opinions_author ON opinions(author_user_id, id) WHERE author_user_id IS NOT NULL;
CREATE INDEX opinions_case ON opinions(case_id) WHERE case_id IS NOT NULL;
CREATE INDEX opinions_time ON opinions(created_at);

-- The timeline of opinions and commitments (a commitment's progress
-- reports are its entries).
CREATE TABLE participation_events (
    id            INTEGER PRIMARY KEY,
    subject       TEXT    NOT NULL CHECK (subject IN ('opinion', 'commitment')),
    subject_id    INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    actor_user_id INTEGER REFERENCES users(id),  -- NULL: the system (sweep)
    action        TEXT    NOT NULL,
    from_state    TEXT,
    to_state      TEXT,
    note          TEXT    NOT NULL DEFAULT '',
    data          TEXT    NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX participation_events_subject ON participation_events(subject, subject_id, id);

CREATE TABLE polls (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    region_code TEXT    NOT NULL REFERENCES regions(code),  -- whose residents vote
    region_prefix TEXT  NOT NULL,  -- its significant digits, to find polls above a village
    opens_at    INTEGER NOT NULL,
    closes_at   INTEGER NOT NULL CHECK (closes_at > opens_at),
    max_picks   INTEGER NOT NULL CHECK (max_picks >= 1),
    top_n       INTEGER NOT NULL CHECK (top_n >= 1),     -- how many projects closing publishes
    created_by  INTEGER NOT NULL REFERENCES users(id),
    closed_at   INTEGER,                                  -- set once, by hand or by the sweep
    closed_by   INTEGER REFERENCES users(id),
    results     TEXT,                                     -- JSON published at close
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX polls_region ON polls(region_code, id);
CREATE INDEX polls_due ON polls(closes_at) WHERE closed_at IS NULL;

CREATE TABLE poll_options (
    id          INTEGER PRIMARY KEY,
    poll_id     INTEGER NOT NULL REFERENCES polls(id),
    position    INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    UNIQUE (poll_id, position)
) STRICT;

-- One ballot per resident per poll, enforced here: a second insert fails.
CREATE TABLE poll_ballots (
    id            INTEGER PRIMARY KEY,
    poll_id       INTEGER NOT NULL REFERENCES polls(id),
    voter_user_id INTEGER NOT NULL REFERENCES users(id),
    created_at    INTEGER NOT NULL,
    UNIQUE (poll_id, voter_user_id)
) STRICT;
CREATE TABLE poll_picks (
    ballot_id INTEGER NOT NULL REFERENCES poll_ballots(id),
    poll_id   INTEGER NOT NULL REFERENCES polls(id),
    option_id INTEGER NOT NULL REFERENCES poll_options(id),
    PRIMARY KEY (ballot_id, option_id)
) STRICT;
CREATE INDEX poll_picks_option ON poll_picks(poll_id, option_id);

CREATE TABLE commitments (
    id            INTEGER PRIMARY KEY,
    title         TEXT    NOT NULL,
    content       TEXT    NOT NULL,
    owner_user_id INTEGER REFERENCES users(id),
    owner_dept_id INTEGER REFERENCES departments(id),
    region_code   TEXT    NOT NULL REFERENCES regions(code),  -- where it was made public
    year          INTEGER NOT NULL,                           -- the year-end review it faces
    due_at        INTEGER NOT NULL,
    progress      INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    state         TEXT    NOT NULL CHECK (state IN ('active', 'completed', 'kept', 'failed')),
    overdue       INTEGER NOT NULL DEFAULT 0 CHECK (overdue IN (0, 1)),  -- passed due undone
    completed_at  INTEGER,
    reviewed_at   INTEGER,
    reviewed_by   INTEGER REFERENCES users(id),
    review_note   TEXT    NOT NULL DEFAULT '',
    created_by    INTEGER NOT NULL REFERENCES users(id),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    CHECK ((owner_user_id IS NULL) <> (owner_dept_id IS NULL))
) STRICT;
CREATE INDEX commitments_region ON commitments(region_code, id);
CREATE INDEX commitments_owner_user ON commitments(owner_user_id) WHERE owner_user_id IS NOT NULL;
CREATE INDEX commitments_owner_dept ON commitments(owner_dept_id) WHERE owner_dept_id IS NOT NULL;
-- The sweep reads only active commitments whose due time may pass.
CREATE INDEX commitments_due ON commitments(due_at) WHERE overdue = 0 AND state = 'active';

CREATE TABLE visits (
    id                INTEGER PRIMARY KEY,
    household_id      INTEGER NOT NULL REFERENCES households(id),
    grid_code         TEXT    NOT NULL REFERENCES grids(code),  -- the household's, when visited
    visitor_user_id   INTEGER NOT NULL REFERENCES users(id),
    visited_at        INTEGER NOT NULL,
    kind              TEXT    NOT NULL CHECK (kind IN ('home', 'phone', 'field', 'night')),
    heard             TEXT    NOT NULL,        -- what the household said (民情日记)
    follow_up         TEXT    NOT NULL DEFAULT '',
    follow_up_done_at INTEGER,
    case_id           INTEGER REFERENCES cases(id),
    opinion_id        INTEGER REFERENCES opinions(id),
    client_key        TEXT,                    -- the phone's idempotency key for a queued send
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    UNIQUE (visitor_user_id, client_key)
) STRICT;
CREATE INDEX visits_grid_time ON visits(grid_code, visited_at);
CREATE INDEX visits_household ON visits(household_id, visited_at);
CREATE INDEX visits_visitor ON visits(visitor_user_id, visited_at);
CREATE INDEX visits_case ON visits(case_id) WHERE case_id IS NOT NULL;

-- Points per kind of deed, where an admin changed the default of
-- core/participation.c (points_rules); the deeds are counted from history.
CREATE TABLE point_rules (
    code       TEXT    PRIMARY KEY,
    points     INTEGER NOT NULL CHECK (points BETWEEN -1000 AND 1000),
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE evaluations (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL,
    region_code TEXT    NOT NULL REFERENCES regions(code),  -- whose residents vote
    region_prefix TEXT  NOT NULL,
    period_from INTEGER NOT NULL,   -- the work being judged: points and vetoes in this span
    period_to   INTEGER NOT NULL CHECK (period_to > period_from),
    opens_at    INTEGER NOT NULL,
    closes_at   INTEGER NOT NULL CHECK (closes_at > opens_at),
    created_by  INTEGER NOT NULL REFERENCES users(id),
    closed_at   INTEGER,
    closed_by   INTEGER REFERENCES users(id),
    results     TEXT,               -- JSON published at close
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX evaluations_due ON evaluations(closes_at) WHERE closed_at IS NULL;

-- Who is evaluated: a cadre or a department.
CREATE TABLE evaluation_targets (
    id            INTEGER PRIMARY KEY,
    evaluation_id INTEGER NOT NULL REFERENCES evaluations(id),
    position      INTEGER NOT NULL,
    user_id       INTEGER REFERENCES users(id),
    dept_id       INTEGER REFERENCES departments(id),
    CHECK ((user_id IS NULL) <> (dept_id IS NULL)),
    UNIQUE (evaluation_id, user_id),
    UNIQUE (evaluation_id, dept_id)
) STRICT;

-- One ballot per resident per evaluation, enforced here.
CREATE TABLE evaluation_ballots (
    id            INTEGER PRIMARY KEY,
    evaluation_id INTEGER NOT NULL REFERENCES evaluations(id),
    voter_user_id INTEGER NOT NULL REFERENCES users(id),
    created_at    INTEGER NOT NULL,
    UNIQUE (evaluation_id, voter_user_id)
) STRICT;
CREATE TABLE evaluation_grades (
    ballot_id     INTEGER NOT NULL REFERENCES evaluation_ballots(id),
    evaluation_id INTEGER NOT NULL REFERENCES evaluations(id),
    target_id     INTEGER NOT NULL REFERENCES evaluation_targets(id),
    grade         TEXT    NOT NULL CHECK (grade IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
    PRIMARY KEY (ballot_id, target_id)
) STRICT;
CREATE INDEX evaluation_grades_target ON evaluation_grades(evaluation_id, target_id);

-- The points engine counts deeds by when they happened.
CREATE INDEX cases_closed ON cases(closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX cases_rated ON cases(rated_at) WHERE rated_at IS NOT NULL;
CREATE INDEX errand_events_action ON errand_events(action, at);

-- Notices about opinions, polls and commitments point at their subject.
ALTER TABLE notifications ADD COLUMN subject TEXT;
ALTER TABLE notifications ADD COLUMN subject_id INTEGER;

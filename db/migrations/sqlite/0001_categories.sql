-- Case categories (案件类别): two levels, code "01" / "0101", each with a
-- default time limit in working hours.
CREATE TABLE categories (
    id               INTEGER PRIMARY KEY,
    code             TEXT    NOT NULL UNIQUE,
    parent_id        INTEGER REFERENCES categories(id),
    name_zh          TEXT    NOT NULL,
    name_en          TEXT    NOT NULL DEFAULT '',
    time_limit_hours INTEGER NOT NULL CHECK (time_limit_hours BETWEEN 1 AND 2000),
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX categories_parent ON categories(parent_id);

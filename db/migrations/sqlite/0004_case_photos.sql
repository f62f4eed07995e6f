-- Photos of a case (随手拍), stored as cleaned by src/image.c: re-encoded,
-- without metadata. step says which part of the loop they document.
CREATE TABLE case_photos (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    step        TEXT    NOT NULL CHECK (step IN ('report', 'handle', 'verify')),
    mime        TEXT    NOT NULL CHECK (mime IN ('image/jpeg', 'image/png')),
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    data        BLOB    NOT NULL,
    uploaded_by INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX case_photos_case ON case_photos(case_id, id);

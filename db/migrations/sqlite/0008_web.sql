-- The web app: a phone that queued a report while offline sends it again
-- when the network returns, with the key it made for it; the case already
-- written answers instead of a second one.
ALTER TABLE cases ADD COLUMN client_key TEXT;
CREATE UNIQUE INDEX cases_client_key ON cases(reporter_user_id, client_key)
    WHERE client_key IS NOT NULL;

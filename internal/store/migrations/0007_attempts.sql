-- Attempts that are limited in number: failed logins (by address, and by
-- account at an address) and uploads (by account). They are kept here,
-- not in memory, so that every instance of cptrends sharing a database
-- counts the same attempts. Rows older than a day are cleared as new ones
-- are written.
CREATE TABLE attempts (
	key TEXT NOT NULL,
	at  TEXT NOT NULL
) STRICT;

CREATE INDEX attempts_key ON attempts (key, at);

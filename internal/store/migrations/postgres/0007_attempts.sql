-- Attempts that are limited in number (see the SQLite migration of the
-- same version).
CREATE TABLE attempts (
	key text NOT NULL,
	at  text NOT NULL
);

CREATE INDEX attempts_key ON attempts (key, at);

-- Accounts. Passwords are stored only as bcrypt hashes.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
	role          TEXT    NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
	password_hash BLOB    NOT NULL,
	created_at    TEXT    NOT NULL
) STRICT;

-- Sessions are kept here, not in the cookie, so that logging out or
-- removing an account ends them. Only a hash of each token is stored.
CREATE TABLE sessions (
	token_hash BLOB    PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at TEXT    NOT NULL,
	expires_at TEXT    NOT NULL
) STRICT;

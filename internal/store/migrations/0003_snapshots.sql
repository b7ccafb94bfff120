-- A snapshot is a frozen copy of what a page showed: content is the page's
-- figures as JSON, written once by the web package and never rewritten,
-- pinned to the data version it was made from. Ids are random, so that a
-- snapshot's address cannot be guessed from another's.
CREATE TABLE snapshots (
	id             TEXT    PRIMARY KEY CHECK (length(id) = 26),
	-- subject is an indicator id or 'overview'; indicators lists the ids
	-- its figures show, comma-separated.
	subject        TEXT    NOT NULL,
	geography_code TEXT    NOT NULL,
	indicators     TEXT    NOT NULL,
	title          TEXT    NOT NULL,
	comment        TEXT    NOT NULL DEFAULT '',
	created_by     TEXT    NOT NULL,
	created_at     TEXT    NOT NULL,
	data_version   INTEGER NOT NULL,
	content        BLOB    NOT NULL
) STRICT;

CREATE INDEX snapshots_created ON snapshots (created_at);

-- What a snapshot showed must stay as it was.
CREATE TRIGGER snapshots_immutable BEFORE UPDATE ON snapshots
BEGIN
	SELECT RAISE(ABORT, 'snapshots cannot be changed');
END;

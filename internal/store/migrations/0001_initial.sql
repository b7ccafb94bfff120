-- Every upload is kept; observations point at the upload that wrote them.
-- The current value of a cell is the one from the latest committed upload,
-- so a revision or a rollback never destroys what was published before.
CREATE TABLE uploads (
	id             INTEGER PRIMARY KEY,
	-- pending: previewed, not yet committed, never part of the current data.
	status         TEXT    NOT NULL CHECK (status IN ('pending', 'committed', 'rolled_back')),
	created_at     TEXT    NOT NULL,
	created_by     TEXT    NOT NULL,
	committed_at   TEXT,
	rolled_back_at TEXT,
	rolled_back_by TEXT,
	added          INTEGER NOT NULL DEFAULT 0,
	revised        INTEGER NOT NULL DEFAULT 0,
	unchanged      INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE upload_files (
	upload_id INTEGER NOT NULL REFERENCES uploads (id),
	position  INTEGER NOT NULL,
	name      TEXT    NOT NULL,
	sha256    TEXT    NOT NULL,
	size      INTEGER NOT NULL,
	rows      INTEGER NOT NULL,
	PRIMARY KEY (upload_id, position)
) STRICT;

CREATE TABLE observations (
	indicator       TEXT    NOT NULL,
	geography_code  TEXT    NOT NULL,
	period          INTEGER NOT NULL,
	upload_id       INTEGER NOT NULL REFERENCES uploads (id),
	geography_name  TEXT    NOT NULL,
	geography_level TEXT    NOT NULL,
	value           REAL,
	symbol          TEXT    NOT NULL DEFAULT '',
	note            TEXT    NOT NULL DEFAULT '',
	-- The upload whose value for this cell this row replaced, when it was
	-- written; NULL for a cell the upload added.
	replaces        INTEGER REFERENCES uploads (id),
	PRIMARY KEY (indicator, geography_code, period, upload_id),
	CHECK ((value IS NULL) = (symbol <> ''))
) STRICT, WITHOUT ROWID;

CREATE INDEX observations_upload ON observations (upload_id);

-- The value in force for each cell: the row of the latest committed upload.
CREATE VIEW current_observations AS
SELECT o.*
FROM observations o
JOIN uploads u ON u.id = o.upload_id AND u.status = 'committed'
WHERE o.upload_id = (
	SELECT MAX(o2.upload_id)
	FROM observations o2
	JOIN uploads u2 ON u2.id = o2.upload_id AND u2.status = 'committed'
	WHERE o2.indicator = o.indicator
	  AND o2.geography_code = o.geography_code
	  AND o2.period = o.period
);

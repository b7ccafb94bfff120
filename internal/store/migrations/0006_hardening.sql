-- The local authority codes and regions an upload's EES files gave, kept
-- with the upload: they count only while it is committed, so a cancelled
-- preview leaves none and a rollback takes its codes back with its
-- figures. la_codes keeps the reference codes loaded with the bundled
-- data; for a code both give, the latest reporting year wins, then the
-- latest upload.
CREATE TABLE upload_la_codes (
	upload_id   INTEGER NOT NULL REFERENCES uploads (id),
	new_la_code TEXT    NOT NULL,
	old_la_code TEXT    NOT NULL,
	la_name     TEXT    NOT NULL,
	region_code TEXT    NOT NULL,
	region_name TEXT    NOT NULL,
	last_period INTEGER NOT NULL,
	PRIMARY KEY (upload_id, new_la_code)
) STRICT;

CREATE INDEX upload_la_codes_code ON upload_la_codes (new_la_code);

-- The cells a pending upload's preview called unchanged, with the upload
-- whose value was current then: commit refuses if any has changed since.
-- Rows go at commit or cancel.
CREATE TABLE upload_unchanged (
	upload_id INTEGER NOT NULL REFERENCES uploads (id),
	series_id INTEGER NOT NULL,
	period    INTEGER NOT NULL,
	seen      INTEGER NOT NULL,
	PRIMARY KEY (upload_id, series_id, period)
) STRICT, WITHOUT ROWID;

-- A cancelled preview leaves no figures, but who cancelled whose upload,
-- and when, is kept.
CREATE TABLE upload_cancellations (
	upload_id    INTEGER PRIMARY KEY,
	created_by   TEXT    NOT NULL,
	created_at   TEXT    NOT NULL,
	cancelled_by TEXT    NOT NULL,
	cancelled_at TEXT    NOT NULL,
	files        TEXT    NOT NULL
) STRICT;

-- An admin's removal of a snapshot: the snapshot itself stays as it was
-- (snapshots are never changed), shown to no one but admins, in this list.
CREATE TABLE snapshot_deletions (
	snapshot_id TEXT PRIMARY KEY REFERENCES snapshots (id),
	deleted_by  TEXT NOT NULL,
	deleted_at  TEXT NOT NULL
) STRICT;

-- For the per-account rate limit and quota on snapshots.
CREATE INDEX snapshots_by ON snapshots (created_by, created_at);

-- What an upload adds, revises and leaves unchanged, by indicator and
-- geographic level, counted as it is written, so that its page sums it up
-- without reading every value.
CREATE TABLE upload_groups (
	upload_id    INTEGER NOT NULL REFERENCES uploads (id),
	indicator    TEXT    NOT NULL,
	level        TEXT    NOT NULL,
	added        INTEGER NOT NULL,
	revised      INTEGER NOT NULL,
	unchanged    INTEGER NOT NULL,
	areas        INTEGER NOT NULL,
	first_period INTEGER NOT NULL,
	last_period  INTEGER NOT NULL,
	PRIMARY KEY (upload_id, indicator, level)
) STRICT;

-- An upload's revisions, found without reading its additions.
CREATE INDEX figures_revisions ON figures (upload_id, series_id, period) WHERE replaces IS NOT NULL;

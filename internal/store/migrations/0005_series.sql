-- Observations name their cell by number: a series (an indicator in one
-- area) and the place as the upload named it. A row is then a few
-- integers and its key two, which makes a large import about four times
-- faster to write than rows keyed by text. The view "observations" keeps
-- the earlier shape, text and all, for reading.
CREATE TABLE series (
	id             INTEGER PRIMARY KEY,
	indicator      TEXT NOT NULL,
	geography_code TEXT NOT NULL,
	UNIQUE (indicator, geography_code)
) STRICT;

-- An area's name and level as an upload gave them; a renamed area is a
-- new place, so the history keeps each name it was published under.
CREATE TABLE places (
	id    INTEGER PRIMARY KEY,
	code  TEXT NOT NULL,
	name  TEXT NOT NULL,
	level TEXT NOT NULL,
	UNIQUE (code, name, level)
) STRICT;

CREATE TABLE figures (
	series_id INTEGER NOT NULL REFERENCES series (id),
	period    INTEGER NOT NULL,
	upload_id INTEGER NOT NULL REFERENCES uploads (id),
	place_id  INTEGER NOT NULL REFERENCES places (id),
	value     REAL,
	symbol    TEXT    NOT NULL DEFAULT '',
	note      TEXT    NOT NULL DEFAULT '',
	-- The upload whose value for this cell this row replaced, when it was
	-- written; NULL for a cell the upload added.
	replaces  INTEGER REFERENCES uploads (id),
	PRIMARY KEY (series_id, period, upload_id),
	CHECK ((value IS NULL) = (symbol <> ''))
) STRICT, WITHOUT ROWID;

INSERT INTO series (indicator, geography_code)
SELECT DISTINCT indicator, geography_code FROM observations ORDER BY indicator, geography_code;

INSERT INTO places (code, name, level)
SELECT DISTINCT geography_code, geography_name, geography_level FROM observations ORDER BY geography_code, geography_name;

INSERT INTO figures (series_id, period, upload_id, place_id, value, symbol, note, replaces)
SELECT s.id, o.period, o.upload_id, p.id, o.value, o.symbol, o.note, o.replaces
FROM observations o
JOIN series s ON s.indicator = o.indicator AND s.geography_code = o.geography_code
JOIN places p ON p.code = o.geography_code AND p.name = o.geography_name AND p.level = o.geography_level;

DROP VIEW current_observations;
DROP INDEX observations_upload;
DROP TABLE observations;

-- The series each upload wrote to, so that an upload's own rows (its
-- changes, a cancel, a commit's check) are found through the primary key.
-- An index on figures (upload_id) would do the same at one entry per row
-- rather than per series, and would halve the rate of writing a file laid
-- out year by year, whose rows land all over it.
CREATE TABLE upload_series (
	upload_id INTEGER NOT NULL REFERENCES uploads (id),
	series_id INTEGER NOT NULL REFERENCES series (id),
	PRIMARY KEY (upload_id, series_id)
) STRICT, WITHOUT ROWID;

INSERT INTO upload_series (upload_id, series_id)
SELECT DISTINCT upload_id, series_id FROM figures ORDER BY upload_id, series_id;

-- Every row as it was written, with its cell and place by name.
CREATE VIEW observations AS
SELECT s.indicator, s.geography_code, f.period, f.upload_id, p.name AS geography_name, p.level AS geography_level,
       f.value, f.symbol, f.note, f.replaces, f.series_id
FROM figures f
JOIN series s ON s.id = f.series_id
JOIN places p ON p.id = f.place_id;

-- The value in force for each cell: the row of the latest committed upload.
CREATE VIEW current_observations AS
SELECT s.indicator, s.geography_code, f.period, f.upload_id, p.name AS geography_name, p.level AS geography_level,
       f.value, f.symbol, f.note, f.replaces, f.series_id
FROM figures f
JOIN uploads u ON u.id = f.upload_id AND u.status = 'committed'
JOIN series s ON s.id = f.series_id
JOIN places p ON p.id = f.place_id
WHERE f.upload_id = (
	SELECT MAX(f2.upload_id)
	FROM figures f2
	JOIN uploads u2 ON u2.id = f2.upload_id AND u2.status = 'committed'
	WHERE f2.series_id = f.series_id AND f2.period = f.period
);

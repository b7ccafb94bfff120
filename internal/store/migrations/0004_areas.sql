-- Reference data for comparing areas, kept apart from the published
-- figures: it is not versioned by upload.

-- Local authority codes as the department's files give them: the
-- three-digit code its older tables and the statistical neighbour model
-- use, the ONS code every figure here is filed under, and the region.
-- London boroughs' region is Inner or Outer London in the files.
CREATE TABLE la_codes (
	new_la_code TEXT    PRIMARY KEY,
	old_la_code TEXT    NOT NULL,
	la_name     TEXT    NOT NULL,
	region_code TEXT    NOT NULL,
	region_name TEXT    NOT NULL,
	-- The latest reporting year a file gave this code in.
	last_period INTEGER NOT NULL
) STRICT;

CREATE INDEX la_codes_old ON la_codes (old_la_code);

-- Each authority's statistical neighbours in a model (such as the
-- department's 2025 model), by old_la_code, nearest first.
CREATE TABLE statistical_neighbours (
	model                 TEXT    NOT NULL,
	old_la_code           TEXT    NOT NULL,
	position              INTEGER NOT NULL CHECK (position BETWEEN 1 AND 10),
	neighbour_old_la_code TEXT    NOT NULL,
	closeness             TEXT    NOT NULL,
	PRIMARY KEY (model, old_la_code, position)
) STRICT;

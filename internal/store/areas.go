package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"cptrends/indicators"
)

// LACode and Neighbour are the domain's records of reference codes.
type (
	LACode    = indicators.LACode
	Neighbour = indicators.Neighbour
)

// CheckLACode returns why c cannot be recorded (see LACode.Check).
func CheckLACode(c LACode) (column, msg string) { return c.Check() }

// SaveLACodes records authorities' reference codes, as the bundled data
// gives them, apart from any upload; for a code already known, the entry
// from the later reporting year wins. It refuses every code if one is not
// sound (see CheckLACode).
func (s *Store) SaveLACodes(ctx context.Context, codes []LACode) error {
	if err := checkLACodes(codes); err != nil {
		return err
	}
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("store: save la codes: %w", err)
	}
	defer tx.Rollback()
	for _, c := range codes {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO la_codes (new_la_code, old_la_code, la_name, region_code, region_name, last_period)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (new_la_code) DO UPDATE SET
				old_la_code = excluded.old_la_code, la_name = excluded.la_name,
				region_code = excluded.region_code, region_name = excluded.region_name,
				last_period = excluded.last_period
			WHERE excluded.last_period >= la_codes.last_period`,
			c.New, c.Old, c.Name, c.RegionCode, c.RegionName, int(c.LastPeriod)); err != nil {
			return fmt.Errorf("store: save la code %s: %w", c.New, err)
		}
	}
	return tx.Commit()
}

func checkLACodes(codes []LACode) error {
	for _, c := range codes {
		if _, msg := CheckLACode(c); msg != "" {
			return indicators.Errorf(indicators.EINVALID, "The local authority codes for %q cannot be recorded: %s.", c.New, msg)
		}
	}
	return nil
}

// writeLACodes records the codes an upload's files gave, with the upload.
func writeLACodes(ctx context.Context, tx *sql.Tx, uploadID int64, codes []LACode) error {
	if err := checkLACodes(codes); err != nil {
		return err
	}
	for _, c := range codes {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO upload_la_codes (upload_id, new_la_code, old_la_code, la_name, region_code, region_name, last_period)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (upload_id, new_la_code) DO UPDATE SET
				old_la_code = excluded.old_la_code, la_name = excluded.la_name,
				region_code = excluded.region_code, region_name = excluded.region_name,
				last_period = excluded.last_period
			WHERE excluded.last_period >= upload_la_codes.last_period`,
			uploadID, c.New, c.Old, c.Name, c.RegionCode, c.RegionName, int(c.LastPeriod)); err != nil {
			return fmt.Errorf("store: save la code %s: %w", c.New, err)
		}
	}
	return nil
}

// The reference codes, then those of committed uploads, oldest first.
const laCodesQuery = `
SELECT new_la_code, old_la_code, la_name, region_code, region_name, last_period, 0 FROM la_codes
UNION ALL
SELECT c.new_la_code, c.old_la_code, c.la_name, c.region_code, c.region_name, c.last_period, c.upload_id
FROM upload_la_codes c JOIN uploads u ON u.id = c.upload_id AND u.status = 'committed'
ORDER BY 7`

// LACodes returns every authority's codes, by ONS code: for each, the
// entry of the latest reporting year among the reference codes and the
// committed uploads', the later upload's on a tie.
func (s *Store) LACodes(ctx context.Context) (map[string]LACode, error) {
	rows, err := s.db.QueryContext(ctx, laCodesQuery)
	if err != nil {
		return nil, fmt.Errorf("store: la codes: %w", err)
	}
	defer rows.Close()
	out := map[string]LACode{}
	for rows.Next() {
		var c LACode
		var p int
		var upload int64
		if err := rows.Scan(&c.New, &c.Old, &c.Name, &c.RegionCode, &c.RegionName, &p, &upload); err != nil {
			return nil, fmt.Errorf("store: scan la code: %w", err)
		}
		c.LastPeriod = indicators.Period(p)
		if prev, ok := out[c.New]; !ok || c.LastPeriod >= prev.LastPeriod {
			out[c.New] = c
		}
	}
	return out, rows.Err()
}

// ReplaceNeighbours replaces a model's statistical neighbours with rows,
// in one transaction.
func (s *Store) ReplaceNeighbours(ctx context.Context, model string, rows []Neighbour) error {
	tx, err := s.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("store: replace neighbours: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM statistical_neighbours WHERE model = ?`, model); err != nil {
		return fmt.Errorf("store: replace neighbours: %w", err)
	}
	for _, n := range rows {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO statistical_neighbours (model, old_la_code, position, neighbour_old_la_code, closeness)
			VALUES (?, ?, ?, ?, ?)`, model, n.Old, n.Position, n.Neighbour, n.Closeness); err != nil {
			return fmt.Errorf("store: neighbour %s %d: %w", n.Old, n.Position, err)
		}
	}
	return tx.Commit()
}

// Neighbours returns an authority's statistical neighbours, nearest first,
// in the latest model that lists it (models are named so that a later one
// sorts last).
func (s *Store) Neighbours(ctx context.Context, old string) ([]Neighbour, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT model, old_la_code, position, neighbour_old_la_code, closeness
		FROM statistical_neighbours
		WHERE old_la_code = ? AND model = (SELECT MAX(model) FROM statistical_neighbours WHERE old_la_code = ?)
		ORDER BY position`, old, old)
	if err != nil {
		return nil, fmt.Errorf("store: neighbours of %s: %w", old, err)
	}
	defer rows.Close()
	var out []Neighbour
	for rows.Next() {
		var n Neighbour
		if err := rows.Scan(&n.Model, &n.Old, &n.Position, &n.Neighbour, &n.Closeness); err != nil {
			return nil, fmt.Errorf("store: scan neighbour: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// HasNeighbours reports whether any neighbour model has been loaded.
func (s *Store) HasNeighbours(ctx context.Context) (bool, error) {
	var any bool
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM statistical_neighbours)`).Scan(&any); err != nil {
		return false, fmt.Errorf("store: has neighbours: %w", err)
	}
	return any, nil
}

// areasCache keeps the list of areas for the data version it was read at:
// reading it means a pass over every observation, and every page's area
// picker needs it.
type areasCache struct {
	mu      sync.Mutex
	version int64
	list    []indicators.Geography
}

// Areas lists every geography with a current figure for any indicator,
// with the name it was last published under, by level then name.
func (s *Store) Areas(ctx context.Context) ([]indicators.Geography, error) {
	version, err := s.RecentDataVersion(ctx)
	if err != nil {
		return nil, err
	}
	s.areas.mu.Lock()
	defer s.areas.mu.Unlock()
	if s.areas.list != nil && s.areas.version == version {
		return s.areas.list, nil
	}
	list, err := s.readAreas(ctx)
	if err != nil {
		return nil, err
	}
	s.areas.version, s.areas.list = version, list
	return list, nil
}

func (s *Store) readAreas(ctx context.Context) ([]indicators.Geography, error) {
	// SQLite takes the bare columns from the row with MAX(upload_id);
	// PostgreSQL says the same with DISTINCT ON.
	query := `
		SELECT code, name, level FROM (
			SELECT o.geography_code AS code, o.geography_name AS name, o.geography_level AS level, MAX(o.upload_id)
			FROM observations o JOIN uploads u ON u.id = o.upload_id AND u.status = 'committed'
			GROUP BY o.geography_code)
		ORDER BY CASE level WHEN 'national' THEN 0 WHEN 'regional' THEN 1 ELSE 2 END, name`
	if s.dialect == dialectPostgres {
		query = `
		SELECT code, name, level FROM (
			SELECT DISTINCT ON (o.geography_code) o.geography_code AS code, o.geography_name AS name, o.geography_level AS level
			FROM observations o JOIN uploads u ON u.id = o.upload_id AND u.status = 'committed'
			ORDER BY o.geography_code, o.upload_id DESC) AS latest
		ORDER BY CASE level WHEN 'national' THEN 0 WHEN 'regional' THEN 1 ELSE 2 END, name`
	}
	rows, err := s.db.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("store: areas: %w", err)
	}
	defer rows.Close()
	out := []indicators.Geography{}
	for rows.Next() {
		var g indicators.Geography
		if err := rows.Scan(&g.Code, &g.Name, &g.Level); err != nil {
			return nil, fmt.Errorf("store: scan area: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// PeriodObservations returns the current values of one indicator for one
// reporting year at one geographic level, every area.
func (s *Store) PeriodObservations(ctx context.Context, indicator string, period indicators.Period, level string) ([]indicators.Observation, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT geography_code, geography_name, value, symbol, note FROM current_observations
		WHERE indicator = ? AND period = ? AND geography_level = ?
		ORDER BY geography_name`, indicator, int(period), level)
	if err != nil {
		return nil, fmt.Errorf("store: %s in %s: %w", indicator, period, err)
	}
	defer rows.Close()
	var out []indicators.Observation
	for rows.Next() {
		o := indicators.Observation{Indicator: indicator, Period: period, Geography: indicators.Geography{Level: level}}
		var value sql.NullFloat64
		if err := rows.Scan(&o.Geography.Code, &o.Geography.Name, &value, &o.Symbol, &o.Note); err != nil {
			return nil, fmt.Errorf("store: scan observation: %w", err)
		}
		o.Value = floatPtr(value)
		out = append(out, o)
	}
	return out, rows.Err()
}

// Periods lists the reporting years with any current figure for an
// indicator at a level, latest first.
func (s *Store) Periods(ctx context.Context, indicator, level string) ([]indicators.Period, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT DISTINCT period FROM observations o JOIN uploads u ON u.id = o.upload_id AND u.status = 'committed'
		WHERE indicator = ? AND geography_level = ? ORDER BY period DESC`, indicator, level)
	if err != nil {
		return nil, fmt.Errorf("store: periods of %s: %w", indicator, err)
	}
	defer rows.Close()
	var out []indicators.Period
	for rows.Next() {
		var p int
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, indicators.Period(p))
	}
	return out, rows.Err()
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"cptrends/indicators"
)

// UploadGroups sums up what an upload gives, by indicator and geographic
// level: what it adds, revises and leaves unchanged, for how many areas
// and which years. It reads the counts kept when the upload was written,
// not its values, so it costs the same for any upload; an upload written
// before those counts were kept is counted from its values once.
func (s *Store) UploadGroups(ctx context.Context, id int64) ([]AddedGroup, error) {
	out, err := s.uploadGroups(ctx, `
		SELECT indicator, level, added, revised, unchanged, areas, first_period, last_period
		FROM upload_groups WHERE upload_id = ? ORDER BY indicator, level`, id)
	if err != nil || len(out) > 0 {
		return out, err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT added + revised FROM uploads WHERE id = ?`, id).Scan(&n); err != nil {
		if err == sql.ErrNoRows {
			return nil, indicators.Errorf(indicators.ENOTFOUND, "There is no upload %d.", id)
		}
		return nil, fmt.Errorf("store: upload %d: %w", id, err)
	}
	if n == 0 {
		return nil, nil
	}
	return s.uploadGroups(ctx, `
		SELECT s.indicator, pl.level, count(*) FILTER (WHERE f.replaces IS NULL), count(*) FILTER (WHERE f.replaces IS NOT NULL), 0,
		       COUNT(DISTINCT s.id), MIN(f.period), MAX(f.period)
		FROM upload_series us
		JOIN figures f ON f.series_id = us.series_id AND f.upload_id = us.upload_id
		JOIN series s ON s.id = f.series_id
		JOIN places pl ON pl.id = f.place_id
		WHERE us.upload_id = ?
		GROUP BY s.indicator, pl.level ORDER BY s.indicator, pl.level`, id)
}

func (s *Store) uploadGroups(ctx context.Context, query string, id int64) ([]AddedGroup, error) {
	rows, err := s.db.QueryContext(ctx, query, id)
	if err != nil {
		return nil, fmt.Errorf("store: groups of upload %d: %w", id, err)
	}
	defer rows.Close()
	var out []AddedGroup
	for rows.Next() {
		var g AddedGroup
		var first, last int
		if err := rows.Scan(&g.Indicator, &g.Level, &g.Values, &g.Revised, &g.Unchanged, &g.Areas, &first, &last); err != nil {
			return nil, fmt.Errorf("store: scan group: %w", err)
		}
		g.First, g.Last = indicators.Period(first), indicators.Period(last)
		out = append(out, g)
	}
	return out, rows.Err()
}

// ChangeCursor marks a place in an upload's changes, in the order
// UploadChanges lists them: the cell last listed. The zero cursor is the
// start.
type ChangeCursor struct {
	Series int64
	Period indicators.Period
}

// String writes the cursor for a URL: "series.period".
func (c ChangeCursor) String() string {
	return strconv.FormatInt(c.Series, 10) + "." + strconv.Itoa(int(c.Period))
}

// ParseChangeCursor reads what String writes; anything else is the start.
func ParseChangeCursor(s string) ChangeCursor {
	a, b, ok := strings.Cut(s, ".")
	if !ok {
		return ChangeCursor{}
	}
	series, err1 := strconv.ParseInt(a, 10, 64)
	period, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || series < 0 || period < 0 {
		return ChangeCursor{}
	}
	return ChangeCursor{Series: series, Period: indicators.Period(period)}
}

const changesPageQuery = `
SELECT f.series_id, s.indicator, s.geography_code, pl.name, pl.level, f.period, f.value, f.symbol, f.note,
       p.value, p.symbol, p.note, pp.name
FROM %[1]s
JOIN series s ON s.id = f.series_id
JOIN places pl ON pl.id = f.place_id
LEFT JOIN figures p ON p.series_id = f.series_id AND p.period = f.period AND p.upload_id = f.replaces
LEFT JOIN places pp ON pp.id = p.place_id
WHERE %[2]s AND (%[3]s > ?2 OR %[3]s = ?2 AND f.period > ?3)
ORDER BY %[3]s, f.period
LIMIT ?4`

// UploadChanges lists up to limit of an upload's revisions (revised true)
// or additions, after the cursor, in a fixed order (by series, then
// year); the cursor returned marks the last one listed, and more says
// whether any follow. A page costs the same wherever it falls in an
// upload of any size.
func (s *Store) UploadChanges(ctx context.Context, id int64, revised bool, after ChangeCursor, limit int) (out []Change, last ChangeCursor, more bool, err error) {
	// Revisions come from their own index; additions, most of what an
	// upload gives, from its series in order.
	// Each is walked in the order of its index (the key), so a page reads
	// only its own rows.
	// (PostgreSQL has no INDEXED BY, and chooses the index itself.)
	from, where, key := `figures f INDEXED BY figures_revisions`, `f.upload_id = ?1 AND f.replaces IS NOT NULL`, `f.series_id`
	if s.dialect == dialectPostgres {
		from = `figures f`
	}
	if !revised {
		from = `upload_series us JOIN figures f ON f.series_id = us.series_id AND f.upload_id = us.upload_id`
		where, key = `us.upload_id = ?1 AND f.replaces IS NULL`, `us.series_id`
	}
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf(changesPageQuery, from, where, key), id, after.Series, int(after.Period), limit+1)
	if err != nil {
		return nil, after, false, fmt.Errorf("store: changes of upload %d: %w", id, err)
	}
	defer rows.Close()
	last = after
	for rows.Next() {
		if len(out) == limit {
			more = true
			break
		}
		var c Change
		var series int64
		var period int
		var value, oldValue sql.NullFloat64
		var oldSymbol, oldNote, oldName sql.NullString
		n := &c.New
		if err := rows.Scan(&series, &n.Indicator, &n.Geography.Code, &n.Geography.Name, &n.Geography.Level, &period, &value, &n.Symbol, &n.Note,
			&oldValue, &oldSymbol, &oldNote, &oldName); err != nil {
			return nil, after, false, fmt.Errorf("store: scan change: %w", err)
		}
		n.Period = indicators.Period(period)
		n.Value = floatPtr(value)
		c.Kind = Added
		if revised {
			c.Kind = Revised
			old := *n
			old.Value, old.Symbol, old.Note = floatPtr(oldValue), indicators.Symbol(oldSymbol.String), oldNote.String
			if oldName.Valid {
				old.Geography.Name = oldName.String
			}
			c.Old = &old
		}
		out = append(out, c)
		last = ChangeCursor{Series: series, Period: n.Period}
	}
	return out, last, more, rows.Err()
}

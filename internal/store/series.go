package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"cptrends/indicators"
)

// SeriesKey names one series: an indicator in one area.
type SeriesKey struct {
	Indicator, Geography string
}

const observationsQuery = `
SELECT c.indicator, c.geography_code, c.period, c.value, c.symbol, c.note, c.geography_name, c.geography_level,
       p.upload_id IS NOT NULL, p.value, p.symbol, COALESCE(pf.name, '')
FROM current_observations c
LEFT JOIN figures p ON p.series_id = c.series_id AND p.period = c.period AND p.upload_id = c.replaces
LEFT JOIN upload_files pf ON pf.upload_id = c.replaces AND pf.position = 0
WHERE c.indicator IN (%s) AND c.geography_code IN (%s)
ORDER BY c.indicator, c.geography_code, c.period`

// Observations returns the current values of one indicator for one
// geography, in period order.
func (s *Store) Observations(ctx context.Context, indicator, geography string) ([]indicators.Observation, error) {
	m, err := s.SeriesObservations(ctx, []string{indicator}, []string{geography})
	return m[SeriesKey{indicator, geography}], err
}

// SeriesObservations returns, in one query, the current values of every
// one of the indicators in every one of the geographies, each series in
// period order. A series with no values is absent from the map.
func (s *Store) SeriesObservations(ctx context.Context, ids, codes []string) (map[SeriesKey][]indicators.Observation, error) {
	out := map[SeriesKey][]indicators.Observation{}
	if len(ids) == 0 || len(codes) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(ids)+len(codes))
	for _, id := range ids {
		args = append(args, id)
	}
	for _, c := range codes {
		args = append(args, c)
	}
	q := fmt.Sprintf(observationsQuery, placeholders(len(ids)), placeholders(len(codes)))
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: observations %q: %w", ids, err)
	}
	defer rows.Close()
	for rows.Next() {
		var o indicators.Observation
		var period int
		var value, earlier sql.NullFloat64
		var replaced bool
		var earlierSymbol sql.NullString
		var release string
		if err := rows.Scan(&o.Indicator, &o.Geography.Code, &period, &value, &o.Symbol, &o.Note, &o.Geography.Name, &o.Geography.Level,
			&replaced, &earlier, &earlierSymbol, &release); err != nil {
			return nil, fmt.Errorf("store: scan observation: %w", err)
		}
		o.Period = indicators.Period(period)
		o.Value = floatPtr(value)
		if replaced {
			// Only a different figure or symbol is a revision; a new note is not.
			e := o
			e.Value, e.Symbol, e.Note, e.Earlier, e.Release = floatPtr(earlier), indicators.Symbol(earlierSymbol.String), "", nil, release
			if !sameFigure(e, o) {
				o.Earlier = &e
			}
		}
		k := SeriesKey{o.Indicator, o.Geography.Code}
		out[k] = append(out[k], o)
	}
	return out, rows.Err()
}

// placeholders is n question marks separated by commas.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// Geography returns the name and level last published for code.
func (s *Store) Geography(ctx context.Context, code string) (indicators.Geography, error) {
	areas, err := s.Areas(ctx)
	if err != nil {
		return indicators.Geography{Code: code}, err
	}
	for _, g := range areas {
		if g.Code == code {
			return g, nil
		}
	}
	return indicators.Geography{Code: code}, indicators.Errorf(indicators.ENOTFOUND, "There are no figures for the area %q.", code)
}

func sameFigure(a, b indicators.Observation) bool {
	a.Note, b.Note = "", ""
	return a.Same(b)
}

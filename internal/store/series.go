package store

import (
	"context"
	"database/sql"
	"fmt"

	"cptrends/indicators"
)

const observationsQuery = `
SELECT c.period, c.value, c.symbol, c.note, c.geography_name, c.geography_level, p.upload_id IS NOT NULL, p.value, p.symbol
FROM current_observations c
LEFT JOIN figures p ON p.series_id = c.series_id AND p.period = c.period AND p.upload_id = c.replaces
WHERE c.indicator = ? AND c.geography_code = ?
ORDER BY c.period`

// Observations returns the current values of one indicator for one
// geography, in period order.
func (s *Store) Observations(ctx context.Context, indicator, geography string) ([]indicators.Observation, error) {
	rows, err := s.db.QueryContext(ctx, observationsQuery, indicator, geography)
	if err != nil {
		return nil, fmt.Errorf("store: observations %q: %w", indicator, err)
	}
	defer rows.Close()
	var out []indicators.Observation
	for rows.Next() {
		o := indicators.Observation{Indicator: indicator, Geography: indicators.Geography{Code: geography}}
		var period int
		var value, earlier sql.NullFloat64
		var replaced bool
		var earlierSymbol sql.NullString
		if err := rows.Scan(&period, &value, &o.Symbol, &o.Note, &o.Geography.Name, &o.Geography.Level,
			&replaced, &earlier, &earlierSymbol); err != nil {
			return nil, fmt.Errorf("store: scan observation: %w", err)
		}
		o.Period = indicators.Period(period)
		o.Value = floatPtr(value)
		if replaced {
			// Only a different figure or symbol is a revision; a new note is not.
			e := o
			e.Value, e.Symbol, e.Note, e.Earlier = floatPtr(earlier), indicators.Symbol(earlierSymbol.String), "", nil
			if !sameFigure(e, o) {
				o.Earlier = &e
			}
		}
		out = append(out, o)
	}
	return out, rows.Err()
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

package figures

import (
	"context"

	"cptrends/indicators"
)

// WithIntervals adds to each year of a percentage or rate series its
// numerator, denominator and 95% and 99.8% confidence intervals, read
// from the counts its definition's Ratio names for the same area (one
// query per count). A series with no ratio is returned as it is.
func (r *Reader) WithIntervals(ctx context.Context, s indicators.Series) (indicators.Series, error) {
	d := s.Definition
	if d == nil || d.Ratio == nil {
		return s, nil
	}
	read := func(id string) (indicators.Series, error) {
		def, ok := r.Catalog.Lookup(id)
		if !ok {
			return indicators.Series{}, indicators.Errorf(indicators.ENOTFOUND, "There is no indicator called %q.", id)
		}
		obs, err := r.Store.Observations(ctx, id, s.Geography.Code)
		if err != nil {
			return indicators.Series{}, err
		}
		return indicators.NewSeries(def, s.Geography, obs), nil
	}
	nums := make([]indicators.Series, len(d.Ratio.Numerator))
	for i, id := range d.Ratio.Numerator {
		n, err := read(id)
		if err != nil {
			return s, err
		}
		nums[i] = n
	}
	den, err := read(d.Ratio.Denominator)
	if err != nil {
		return s, err
	}
	return indicators.WithIntervals(s, nums, den), nil
}

package figures

import (
	"context"

	"cptrends/indicators"
)

// FunnelYear is one authority's place on the funnel of one year: its
// figure, its limits, where it falls, and its quartile among the
// authorities that year (1 the highest quarter, as in the league table).
type FunnelYear struct {
	Period      indicators.Period     `json:"period"`
	Value       float64               `json:"value"`
	Numerator   float64               `json:"numerator"`
	Denominator float64               `json:"denominator"`
	Limits      map[string][2]float64 `json:"limits"`
	Outside     string                `json:"outside"`
	OutsideBy   map[string]string     `json:"outside_by_level"`
	Small       bool                  `json:"small"`
	Quartile    int                   `json:"quartile"`
	Centre      float64               `json:"centre"`
	Tau2        float64               `json:"tau2"`
	Authorities int                   `json:"authorities"`
}

// FunnelHistory places one authority on the funnel of every year that has
// one, oldest first, so that an authority persistently outside the limits
// can be told from one outside them in a single year. Years in which it
// has no figure are left out.
func (r *Reader) FunnelHistory(ctx context.Context, def *indicators.Definition, code string) ([]FunnelYear, error) {
	periods, err := r.FunnelPeriods(ctx, def)
	if err != nil {
		return nil, err
	}
	var out []FunnelYear
	for i := len(periods) - 1; i >= 0; i-- {
		f, err := r.funnel(ctx, def, periods[i], false)
		if indicators.ErrorCode(err) == indicators.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		a, ok := f.Area(code)
		if !ok {
			continue
		}
		y := FunnelYear{Period: f.Period, Value: a.Value, Numerator: a.Numerator, Denominator: a.Denominator,
			Limits: a.Limits, Outside: a.Outside, OutsideBy: a.OutsideBy, Small: a.Small,
			Centre: f.Centre, Tau2: f.Overdispersion.Tau2, Authorities: len(f.Areas)}
		obs := make([]indicators.Observation, len(f.Areas))
		for j, x := range f.Areas {
			v := x.Value
			if x.Published != nil {
				v = *x.Published // ranked as the league table ranks them
			}
			obs[j] = indicators.Observation{Geography: indicators.Geography{Code: x.Code}, Value: &v}
		}
		for _, rk := range indicators.Rank(obs) {
			if rk.Geography.Code == code {
				y.Quartile = rk.Quartile
			}
		}
		out = append(out, y)
	}
	return out, nil
}

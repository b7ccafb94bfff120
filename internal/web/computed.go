package web

import (
	"context"
	"fmt"

	"cptrends/indicators"
	"cptrends/internal/store"
)

// computedSeries works out a computed percentage or rate for an area from
// its numerator and denominator series, each loaded by load.
func (s *Server) computedSeries(ctx context.Context, def *indicators.Definition, geo indicators.Geography,
	load func(context.Context, *indicators.Definition, indicators.Geography) (indicators.Series, error)) (indicators.Series, error) {
	input := func(id string) (indicators.Series, error) {
		d, ok := s.cat.Lookup(id)
		if !ok {
			return indicators.Series{}, fmt.Errorf("web: %s: no indicator %q", def.ID, id)
		}
		return load(ctx, d, geo)
	}
	var nums []indicators.Series
	for _, id := range def.Ratio.Numerator {
		n, err := input(id)
		if err != nil {
			return indicators.Series{}, err
		}
		nums = append(nums, n)
	}
	den, err := input(def.Ratio.Denominator)
	if err != nil {
		return indicators.Series{}, err
	}
	return indicators.NewSeries(def, geo, indicators.RatioObservations(def, nums, den)), nil
}

// knownLACodes lists the local authority codes recorded so far, by which
// an upload of a file that names authorities by three-digit code alone
// (LAIT's) is read.
func (s *Server) knownLACodes(ctx context.Context) ([]store.LACode, error) {
	codes, err := s.store.LACodes(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]store.LACode, 0, len(codes))
	for _, c := range codes {
		out = append(out, c)
	}
	return out, nil
}

package indicators

import "sort"

// Ranked is one area in a league table. Areas with a figure are ranked
// from the highest value (1) to the lowest; equal values share a rank
// (1, 2, 2, 4) and so a quartile. Areas with a symbol or no figure have
// rank 0 and no quartile: a symbol is never ranked as a number.
type Ranked struct {
	Observation
	Rank     int
	Tied     bool
	Quartile int // 1 holds the highest values, 4 the lowest
}

// Rank ranks observations of one indicator and year, highest first; those
// without a value follow in their given order.
func Rank(obs []Observation) []Ranked {
	var valued, other []Ranked
	for _, o := range obs {
		if o.Value != nil {
			valued = append(valued, Ranked{Observation: o})
		} else {
			other = append(other, Ranked{Observation: o})
		}
	}
	sort.SliceStable(valued, func(i, j int) bool { return *valued[i].Value > *valued[j].Value })
	n := len(valued)
	for i := range valued {
		if i > 0 && *valued[i].Value == *valued[i-1].Value {
			valued[i].Rank = valued[i-1].Rank
			valued[i].Tied, valued[i-1].Tied = true, true
		} else {
			valued[i].Rank = i + 1
		}
		// The quartile follows the rank, so tied areas share it.
		valued[i].Quartile = (valued[i].Rank-1)*4/n + 1
	}
	return append(valued, other...)
}

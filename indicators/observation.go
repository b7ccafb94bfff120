package indicators

// Observation is one published value: an indicator for a geography and
// reporting year. Exactly one of Value and Symbol is set.
type Observation struct {
	Indicator string
	Geography Geography
	Period    Period
	Value     *float64
	Symbol    Symbol
	Note      string
	// Earlier is the value this one revised, if it revised a different
	// figure or symbol; nil for a value as first published.
	Earlier *Observation
	// Release names the upload that published a revised-away figure (the
	// first of its files), on the Earlier observation only.
	Release string
}

// Same reports whether o and p publish the same figure, symbol and note.
func (o Observation) Same(p Observation) bool {
	if o.Symbol != p.Symbol || o.Note != p.Note {
		return false
	}
	if (o.Value == nil) != (p.Value == nil) {
		return false
	}
	return o.Value == nil || *o.Value == *p.Value
}

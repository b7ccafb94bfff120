package indicators

// Why a year's figure differs between two versions of a series.
const (
	Revision = "revision" // published in both, with a different figure
	NewYear  = "new year" // published only in the later version
	Removed  = "removed"  // published only in the earlier version (a rollback, say)
)

// Difference is one year whose published figure differs between an earlier
// and a later version of a series. Old or New is nil where that version has
// no figure for the year.
type Difference struct {
	Period Period
	Old    *Point
	New    *Point
	Reason string
}

// Diff returns, in period order, the years whose figure (value or symbol)
// differs between old and new. Notes do not count: they are not figures.
func Diff(old, new Series) []Difference {
	before, after := publishedPoints(old), publishedPoints(new)
	var first, last Period
	for _, m := range []map[Period]Point{before, after} {
		for p := range m {
			if first == 0 || p < first {
				first = p
			}
			last = max(last, p)
		}
	}
	var out []Difference
	for p := first; first != 0 && p <= last; p++ {
		o, inOld := before[p]
		n, inNew := after[p]
		switch {
		case inOld && inNew && !sameFigure(o, n):
			out = append(out, Difference{Period: p, Old: &o, New: &n, Reason: Revision})
		case inNew && !inOld:
			out = append(out, Difference{Period: p, New: &n, Reason: NewYear})
		case inOld && !inNew:
			out = append(out, Difference{Period: p, Old: &o, Reason: Removed})
		}
	}
	return out
}

// publishedPoints maps each year that has a figure or a symbol to its point.
func publishedPoints(s Series) map[Period]Point {
	m := make(map[Period]Point, len(s.Points))
	for _, p := range s.Points {
		if p.Value != nil || p.Symbol != "" {
			m[p.Period] = p
		}
	}
	return m
}

func sameFigure(a, b Point) bool {
	if a.Symbol != b.Symbol || (a.Value == nil) != (b.Value == nil) {
		return false
	}
	return a.Value == nil || *a.Value == *b.Value
}

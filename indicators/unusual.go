package indicators

import "math"

// Thresholds for calling a change unusual: it must stand more than
// unusualSD standard deviations from the area's own earlier changes, and
// there must be at least minHistory of them to judge by.
const (
	unusualSD  = 2.5
	minHistory = 5
)

// UnusualChanges flags the years whose change on the year is unusually
// large for the series' own history, in neutral words ("unusually large
// rise for this area"): for most child protection measures a rise is not in
// itself better or worse. Counts and rates are judged by their relative
// change, percentages by their change in points. A year with no change (a
// gap, a symbol, a break) is never flagged, and the history restarts after
// a break so that figures either side of one are not compared.
func UnusualChanges(s Series) map[Period]string {
	out := map[Period]string{}
	var history []float64
	for _, p := range s.Points {
		if p.BreakBefore {
			history = history[:0]
		}
		x, ok := changeMeasure(s.Definition, p)
		if !ok {
			continue
		}
		if len(history) >= minHistory {
			mean, sd := meanSD(history)
			// Far from the usual change, and larger than it: an unusually
			// small change is not news.
			if sd > 0 && math.Abs(x-mean) > unusualSD*sd && math.Abs(x) > math.Abs(mean) {
				word := "rise"
				if x < 0 {
					word = "fall"
				}
				out[p.Period] = "unusually large " + word + " for this area"
			}
		}
		history = append(history, x)
	}
	return out
}

// changeMeasure is the size of a point's change that UnusualChanges
// compares: per cent for counts and rates, points for percentages.
func changeMeasure(d *Definition, p Point) (float64, bool) {
	switch {
	case p.Change == nil:
		return 0, false
	case d.IsPercent():
		return *p.Change, true
	case p.ChangePct != nil:
		return *p.ChangePct, true
	}
	return 0, false
}

func meanSD(xs []float64) (float64, float64) {
	var sum float64
	for _, x := range xs {
		sum += x
	}
	mean := sum / float64(len(xs))
	var sq float64
	for _, x := range xs {
		sq += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sq / float64(len(xs)-1))
}

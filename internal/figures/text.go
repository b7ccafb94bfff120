package figures

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"cptrends/indicators"
)

// Stamp names the state of the data that figures were drawn from.
type Stamp struct {
	Version int64     `json:"version"`
	Updated time.Time `json:"updated"`
}

// Stamp reads the data version and when the data last changed.
func (r *Reader) Stamp(ctx context.Context) (Stamp, error) {
	v, err := r.Store.DataVersion(ctx)
	if err != nil {
		return Stamp{}, err
	}
	u, err := r.Store.LastUpdated(ctx)
	return Stamp{Version: v, Updated: u}, err
}

func (d Stamp) String() string {
	if d.Updated.IsZero() {
		return fmt.Sprintf("Data version %d", d.Version)
	}
	return fmt.Sprintf("Data version %d, last updated %s", d.Version, d.Updated.In(London).Format("2 January 2006"))
}

// Stamped marks figures with the data they were drawn from, for images.
func Stamped(figs []Figure, d Stamp) []Figure {
	for i := range figs {
		figs[i].Stamp = d.String()
	}
	return figs
}

// maxImageNote keeps each footnote in an exported image to two lines or so.
const maxImageNote = 220

// exportText is what an image of the chart carries besides the chart: the
// area and years, the sources, and short notes (breaks, secondary sources,
// footnotes), one a line.
func exportText(series []indicators.Series, headlineNotes []string) (subtitle, source, notes string) {
	var first, last indicators.Period
	var sources, lines, breaks []string
	seen := map[string]bool{}
	add := func(list *[]string, s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			*list = append(*list, s)
		}
	}
	var secondary indicators.Period
	for _, s := range series {
		for _, p := range s.Points {
			if first == 0 || p.Period < first {
				first = p.Period
			}
			last = max(last, p.Period)
			if p.BreakBefore {
				add(&breaks, p.Period.String())
			}
			if p.Secondary && p.Value != nil {
				secondary = s.Definition.SecondaryBefore
			}
		}
		add(&sources, s.Definition.Source.Name)
	}
	if len(series) > 0 {
		subtitle = series[0].Geography.Name
		if first != 0 {
			subtitle += ", " + first.String() + " to " + last.String()
		}
	}
	if len(breaks) > 0 {
		lines = append(lines, "Dashed vertical lines mark breaks in series (before "+strings.Join(breaks, ", ")+
			"): figures either side are not comparable.")
	}
	for _, n := range headlineNotes {
		add(&lines, shorten(n, maxImageNote))
	}
	if secondary != 0 {
		lines = append(lines, "Figures before "+secondary.String()+" are quoted from secondary sources and drawn paler or dashed.")
	}
	for _, s := range series {
		for _, f := range s.Definition.Footnotes {
			add(&lines, shorten(f, maxImageNote))
		}
	}
	return subtitle, strings.Join(sources, "; "), strings.Join(lines, "\n")
}

// shorten cuts s to at most n characters, at a word, with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	if i := strings.LastIndexByte(string(r), ' '); i > 0 {
		return string(r)[:i] + "…"
	}
	return string(r) + "…"
}

// London is where the figures' readers are; dates are shown in UK time.
var London = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
}()

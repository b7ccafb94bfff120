package figures

import (
	"fmt"
	"slices"
	"strings"

	"cptrends/indicators"
	"cptrends/internal/chart"
)

// Figure is a chart with everything that travels with it: headline,
// text summary, data tables, and the option JSON for charts.js. Snapshots
// store it as JSON: the json names are permanent.
type Figure struct {
	DOMID     string              `json:"dom_id"`
	Number    int                 `json:"number"`
	Title     string              `json:"title"`
	Headlines []string            `json:"headlines"`
	Summary   string              `json:"summary"`
	Option    string              `json:"option"`
	Tips      string              `json:"tips"`
	Tables    []Table             `json:"tables"`
	Series    []indicators.Series `json:"series"`
	// HeadlineNotes are the notes on either year a headline compares,
	// shown with it ("2023/24: Hampshire's 2023/24 return ...").
	HeadlineNotes []string `json:"headline_notes,omitempty"`
	// What an image exported from the chart says about itself (export.js):
	// area and years, sources, short notes one a line, the data version.
	Subtitle string `json:"subtitle"`
	Source   string `json:"source"`
	Notes    string `json:"notes"`
	Stamp    string `json:"stamp"`
	FileName string `json:"file_name"`
	// ChartNote says what the chart leaves to the table, or where an axis
	// does not start at zero (figures stored before it have none).
	ChartNote string `json:"chart_note,omitempty"`
	// Described says the chart points to its visible summary rather than
	// carrying it as its label (figures stored before carry it).
	Described bool `json:"described,omitempty"`
}

// Table is the accessible table of one series.
type Table struct {
	Caption string                 `json:"caption"`
	Def     *indicators.Definition `json:"def"`
	Rows    []Row                  `json:"rows"`
	Symbols []indicators.Symbol    `json:"symbols"`
	Breaks  []indicators.Break     `json:"breaks"`
	// NoChangePct leaves out the relative change: a percentage changes by
	// percentage points only. Tables stored before it show theirs.
	NoChangePct bool `json:"no_change_pct,omitempty"`
	// Caution explains the small-number caution, when a row has one.
	Caution string `json:"caution,omitempty"`
	// AreaNotes are the definition's notes that concern the table's area;
	// Scoped says they were chosen (tables stored before list them all).
	AreaNotes []indicators.Note `json:"area_notes,omitempty"`
	Scoped    bool              `json:"scoped,omitempty"`
	// Intervals says that rows give the range a figure could have reached
	// by chance (its 95% confidence interval).
	Intervals bool `json:"intervals,omitempty"`
	// Citations are the secondary sources the rows quote, each once,
	// numbered from 1 under the table; a row names its own by number
	// (Row.Cites). Tables stored before keep each citation in its notes.
	Citations []string `json:"citations,omitempty"`
	// Fits says the table is laid out to fit a phone's width (tables
	// stored before scroll sideways there).
	Fits bool `json:"fits,omitempty"`
}

// Row is one year of a table.
type Row struct {
	Period    string            `json:"period"`
	Value     string            `json:"value"`
	Symbol    indicators.Symbol `json:"symbol"`
	Change    string            `json:"change"`
	ChangePct string            `json:"change_pct"`
	NoChange  string            `json:"no_change"`
	Break     bool              `json:"break"`
	Secondary bool              `json:"secondary"`
	Revised   bool              `json:"revised"`
	Previous  string            `json:"previous"`
	Unusual   string            `json:"unusual,omitempty"`
	Notes     []string          `json:"notes"`
	// From names the area a predecessor's figure was published for.
	From string `json:"from,omitempty"`
	// Small marks a figure that rests on a small number.
	Small bool `json:"small,omitempty"`
	// Interval is the figure's 95% confidence interval, "22.1% to 26.0%".
	Interval string `json:"interval,omitempty"`
	// Cites are the numbers of the table's citations this row quotes.
	Cites []int `json:"cites,omitempty"`
}

// drawn is a series with the number each year's figure rests on (its
// base, for the small-number caution); base is nil where none is known.
type drawn struct {
	s    indicators.Series
	base map[indicators.Period]float64
}

// buildFigure draws one or two series as one figure.
func buildFigure(domID string, number int, title string, labels bool, series ...drawn) (Figure, error) {
	f := Figure{DOMID: domID, Number: number, Title: title, Described: true}
	var summaries []string
	for _, d := range series {
		s := d.s
		f.Series = append(f.Series, s)
		f.Headlines = append(f.Headlines, s.Headline())
		for _, n := range headlineNotes(s) {
			if !slices.Contains(f.HeadlineNotes, n) {
				f.HeadlineNotes = append(f.HeadlineNotes, n)
			}
		}
		summaries = append(summaries, s.Summary())
		f.Tables = append(f.Tables, table(d))
	}
	f.Summary = strings.Join(summaries, " ")
	f.Subtitle, f.Source, f.Notes = exportText(f.Series, f.HeadlineNotes)
	f.FileName = "cptrends-" + strings.TrimPrefix(domID, "chart-")
	c, err := chart.Build(chart.Options{Labels: labels, Description: f.Summary}, f.Series...)
	if err != nil {
		return f, err
	}
	f.ChartNote = c.Note
	if c.Note != "" {
		f.Notes = strings.TrimPrefix(f.Notes+"\n"+c.Note, "\n") // the exported image says so too
	}
	f.Option, f.Tips, err = c.Strings()
	return f, err
}

// headlineNotes are the notes on the two years a series' headline
// compares, each once, with its year.
func headlineNotes(s indicators.Series) []string {
	latest, ok := s.Latest()
	if !ok {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range s.Points {
		if p.Period != latest.Period && p.Period != latest.Period.Prev() {
			continue
		}
		for _, n := range p.Notes {
			if !seen[n] {
				seen[n] = true
				out = append(out, p.Period.String()+": "+n)
			}
		}
	}
	return out
}

func table(dr drawn) Table {
	s := dr.s
	d := s.Definition
	t := Table{Def: d, Breaks: d.Breaks, NoChangePct: d.IsPercent(), Scoped: true, Fits: true}
	for _, n := range d.Notes {
		if len(n.Areas) == 0 || slices.Contains(n.Areas, s.Geography.Code) {
			t.AreaNotes = append(t.AreaNotes, n)
		}
	}
	if n := len(s.Points); n > 0 {
		t.Caption = fmt.Sprintf("%s, %s, %s to %s", d.Title, s.Geography.Name, s.Points[0].Period, s.Points[n-1].Period)
	} else {
		t.Caption = fmt.Sprintf("%s, %s", d.Title, s.Geography.Name)
	}
	used := map[indicators.Symbol]bool{}
	unusual := indicators.UnusualChanges(s)
	for _, p := range s.Points {
		r := Row{Period: p.Period.String(), Value: d.FormatPoint(p), Symbol: p.Symbol, NoChange: p.NoChange,
			Break: p.BreakBefore, Secondary: p.Secondary && p.Value != nil}
		r.Notes, r.Cites = cite(&t, p.Notes)
		if p.GeographyCode != "" {
			r.From = "Figure for " + p.GeographyName + ", " + p.GeographyCode + "."
		}
		r.Small = p.Value != nil && small(dr.base, p.Period)
		// A change on a small number is no evidence of anything unusual.
		if !r.Small && !small(dr.base, p.Period.Prev()) {
			r.Unusual = unusual[p.Period]
		}
		if r.Small {
			t.Caution = SmallCaution
		}
		if p.Revised {
			r.Revised, r.Previous = true, d.FormatPoint(indicators.Point{Value: p.Previous.Value, Symbol: p.Previous.Symbol})
		}
		if p.Change != nil {
			r.Change = d.FormatChange(*p.Change)
			if p.ChangePct != nil && !t.NoChangePct {
				r.ChangePct = indicators.FormatChangePct(*p.ChangePct)
			}
		}
		if p.CI95 != nil {
			r.Interval = d.FormatValue(p.CI95[0]) + " to " + d.FormatValue(p.CI95[1])
			t.Intervals = true
		}
		if p.Symbol != "" {
			used[p.Symbol] = true
		}
		t.Rows = append(t.Rows, r)
	}
	for _, sym := range indicators.Symbols() {
		if used[sym] {
			t.Symbols = append(t.Symbols, sym)
		}
	}
	return t
}

// IntervalNote says in plain words what a range by chance is.
const IntervalNote = "The range by chance is where the figure could have landed by chance alone in a year like this one: " +
	"its 95% confidence interval (Wilson's score method for percentages, Byar's method for rates, as Public Health England computes them). " +
	"These figures count every child, plan or referral, so it is not a sampling error: it shows how far a figure of this size moves from year to year for no reason but chance."

// citeMark starts the citation in a note on a secondary figure.
const citeMark = "Secondary source: "

// cite moves the citations out of a row's notes into the table's list,
// each once, and returns the notes left and the numbers the row cites.
func cite(t *Table, notes []string) (kept []string, cites []int) {
	for _, n := range notes {
		i := strings.Index(n, citeMark)
		if i < 0 {
			kept = append(kept, n)
			continue
		}
		if rest := strings.TrimSpace(n[:i]); rest != "" {
			kept = append(kept, rest)
		}
		c := strings.TrimSpace(n[i+len(citeMark):])
		k := slices.Index(t.Citations, c)
		if k < 0 {
			t.Citations = append(t.Citations, c)
			k = len(t.Citations) - 1
		}
		if !slices.Contains(cites, k+1) {
			cites = append(cites, k+1)
		}
	}
	return kept, cites
}

// Release names the DfE release a figure's latest figures come from:
// "reporting year 2025" for figures to 31 March 2025. The day of
// publication is not held, so it is not given. "" when no figure is DfE's
// own (every figure from secondary sources).
func (f Figure) Release() string {
	var latest indicators.Period
	for _, s := range f.Series {
		for _, p := range s.Points {
			if p.Value != nil && !p.Secondary && p.Period > latest {
				latest = p.Period
			}
		}
	}
	if latest == 0 {
		return ""
	}
	return fmt.Sprintf("the reporting year %d release (figures to 31 March %d)", latest.EndYear(), latest.EndYear())
}

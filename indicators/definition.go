package indicators

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
)

// Units an indicator can be measured in.
const (
	UnitCount   = "count"
	UnitPercent = "percent"
	// UnitRate is a number per 10,000 children aged 0 to 17.
	UnitRate = "rate"
)

// Definition describes one indicator: what it measures, where it comes from,
// how it is drawn and which published columns feed it. Definitions are data:
// one JSON file each in this folder.
type Definition struct {
	ID         string `json:"id"`
	Title      string `json:"title"`
	ShortTitle string `json:"short_title"`
	// Noun names one unit of a count in headlines ("referrals").
	Noun       string `json:"noun"`
	Unit       string `json:"unit"`
	Decimals   int    `json:"decimals"`
	Definition string `json:"definition"`
	Source     Source `json:"source"`
	// SecondaryBefore is the first period whose values come from the
	// department's own releases; values before it are quoted from secondary
	// sources and are drawn and labelled as such.
	SecondaryBefore Period     `json:"secondary_before,omitzero"`
	Footnotes       []string   `json:"footnotes"`
	Breaks          []Break    `json:"breaks"`
	Notes           []Note     `json:"notes"`
	Chart           Chart      `json:"chart"`
	EES             []EESField `json:"ees"`
	// Rate says how a count is shown per 10,000 children, for comparing
	// areas of different sizes; nil for a count with no rate.
	Rate *RateSource `json:"rate,omitempty"`
	// Ratio, for a percentage or rate, names its numerator and denominator.
	Ratio *Ratio `json:"ratio,omitempty"`
	// Stock marks a count taken on 31 March, at the end of the reporting
	// year ("at 31 March 2025"), rather than a flow during it.
	Stock bool `json:"stock,omitempty"`
}

// Multiplier is what a ratio's quotient is multiplied by in a unit: 100
// for a percentage, 10,000 for a rate per 10,000 children, 1 for a count.
func Multiplier(unit string) float64 {
	switch unit {
	case UnitPercent:
		return 100
	case UnitRate:
		return 10000
	}
	return 1
}

// RateSource names where a count's rate per 10,000 children comes from:
// the rate the department publishes (an indicator of unit rate), where it
// publishes one, and otherwise the count divided by the population (an
// indicator of unit count) for the same reporting year.
type RateSource struct {
	Published  string `json:"published,omitempty"`
	Population string `json:"population"`
}

// Ratio names the counts a percentage or rate is a ratio of: the sum of
// the Numerator indicators over the Denominator indicator (a population
// for rates per 10,000). Computed means the values are worked out from
// them rather than read from a file.
type Ratio struct {
	Numerator   []string `json:"numerator"`
	Denominator string   `json:"denominator"`
	Computed    bool     `json:"computed,omitempty"`
}

// Source names the publication an indicator is taken from.
type Source struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Break is a break in series: values from Period on are not comparable with
// values before it (a change of definition, collection or source).
type Break struct {
	Period      Period `json:"period"`
	Explanation string `json:"explanation"`
}

// Note is a caveat on one period that does not break comparability.
// Areas, when set, limits it to those ONS codes (a caveat on the England
// total is no caveat on Hackney's figure).
type Note struct {
	Period Period   `json:"period"`
	Text   string   `json:"text"`
	Areas  []string `json:"areas,omitempty"`
}

// Chart says how an indicator is drawn.
type Chart struct {
	// Type is "bar" or "line".
	Type string `json:"type"`
	// Figure places the indicator on the overview (1 to 4); 0 leaves it off.
	Figure int `json:"figure,omitempty"`
	// Axis is "left" or "right" when two indicators share a figure.
	Axis string `json:"axis,omitempty"`
}

// EESField names a measure column of an Explore Education Statistics open
// data file that feeds this indicator. Where two files use one column name
// for different measures, Category (the file's category must be this) or
// NotCategory (it must not be this) tells them apart.
type EESField struct {
	Column      string `json:"column"`
	Category    string `json:"category,omitempty"`
	NotCategory string `json:"not_category,omitempty"`
	// Filters picks, by value, the rows of a breakdown column (age_group,
	// sex, ...) to read; a breakdown column not named here is read at
	// Total only.
	Filters map[string]string `json:"filters,omitempty"`
	// MidYear says that time_period is the calendar year of a mid-year
	// (30 June) estimate, filed under the reporting year that starts in it:
	// mid-2021 is filed under 2021/22, the year whose rates it serves.
	MidYear bool `json:"mid_year,omitempty"`
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// decodeDefinition reads one definition strictly: unknown fields and
// trailing data are errors, so a typo in a file cannot pass unnoticed.
func decodeDefinition(data []byte) (*Definition, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var d Definition
	if err := dec.Decode(&d); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after the definition")
	}
	return &d, d.validate()
}

func (d *Definition) validate() error {
	switch {
	case !idPattern.MatchString(d.ID):
		return fmt.Errorf("id %q: use lower case letters, digits and underscores", d.ID)
	case d.Title == "" || d.ShortTitle == "" || d.Definition == "":
		return fmt.Errorf("%s: title, short_title and definition are required", d.ID)
	case d.Unit != UnitCount && d.Unit != UnitPercent && d.Unit != UnitRate:
		return fmt.Errorf("%s: unit must be %q, %q or %q", d.ID, UnitCount, UnitPercent, UnitRate)
	case d.Unit != UnitPercent && d.Noun == "":
		return fmt.Errorf("%s: a count or rate needs a noun for its headline", d.ID)
	case d.Rate != nil && (d.Unit != UnitCount || d.Rate.Population == ""):
		return fmt.Errorf("%s: only a count has a rate, and its rate needs a population indicator", d.ID)
	case d.Decimals < 0 || d.Decimals > 3:
		return fmt.Errorf("%s: decimals must be 0 to 3", d.ID)
	case d.Source.Name == "":
		return fmt.Errorf("%s: source name is required", d.ID)
	case d.Chart.Type != "bar" && d.Chart.Type != "line":
		return fmt.Errorf("%s: chart type must be bar or line", d.ID)
	case d.Chart.Figure < 0 || d.Chart.Figure > 4:
		return fmt.Errorf("%s: figure must be 1 to 4, or left out", d.ID)
	case d.Chart.Axis != "" && d.Chart.Axis != "left" && d.Chart.Axis != "right":
		return fmt.Errorf("%s: axis must be left or right", d.ID)
	}
	for _, b := range d.Breaks {
		if b.Period.IsZero() || b.Explanation == "" {
			return fmt.Errorf("%s: every break needs a period and an explanation", d.ID)
		}
	}
	for _, n := range d.Notes {
		if n.Period.IsZero() || n.Text == "" {
			return fmt.Errorf("%s: every note needs a period and text", d.ID)
		}
	}
	for _, f := range d.EES {
		if f.Column == "" {
			return fmt.Errorf("%s: an EES field needs a column name", d.ID)
		}
	}
	return nil
}

// BreakBefore reports the break that lies between p's preceding period and p.
func (d *Definition) BreakBefore(p Period) (Break, bool) {
	for _, b := range d.Breaks {
		if b.Period == p {
			return b, true
		}
	}
	return Break{}, false
}

// NotesFor returns the definition's caveats on period p for the area with
// the given ONS code.
func (d *Definition) NotesFor(p Period, code string) []string {
	var out []string
	for _, n := range d.Notes {
		if n.Period == p && (len(n.Areas) == 0 || slices.Contains(n.Areas, code)) {
			out = append(out, n.Text)
		}
	}
	return out
}

// IsSecondary reports whether values for p are quoted from secondary sources.
func (d *Definition) IsSecondary(p Period) bool {
	return !d.SecondaryBefore.IsZero() && p.Before(d.SecondaryBefore)
}

// IsPercent reports whether the indicator is a percentage.
func (d *Definition) IsPercent() bool { return d.Unit == UnitPercent }

// IsRate reports whether the indicator is a rate per 10,000 children.
func (d *Definition) IsRate() bool { return d.Unit == UnitRate }

// ValueHeading names the unit of the indicator's values, for a table
// column or a chart axis.
func (d *Definition) ValueHeading() string {
	switch d.Unit {
	case UnitPercent:
		return "Per cent"
	case UnitRate:
		return "Per 10,000 children"
	}
	return "Number"
}

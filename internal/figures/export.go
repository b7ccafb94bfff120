package figures

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"cptrends/indicators"
)

// csvHeader names the columns of a chart's data download. The first six
// are the native upload format, so a download loads back as it is.
var csvHeader = []string{"indicator", "period", "geography_code", "geography_name", "value", "note",
	"change", "change_pct", "break_before", "secondary_source", "caveats", "statistical_neighbours",
	"series_geography_code", "revised", "previous_value", "previous_release",
	"numerator", "denominator", "ci95_low", "ci95_high", "ci998_low", "ci998_high"}

// CSV writes a series as CSV, header first, every number rounded as it is
// published. neighbours names the neighbour set the area's page compares
// it with, on every row; "" for England and areas with none. A
// predecessor's figure is filed under the area it was published for, so
// the file loads back as it was published; series_geography_code names
// the area whose series it is part of.
func CSV(sr indicators.Series, neighbours string) ([]byte, error) {
	d := sr.Definition
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(csvHeader)
	for _, p := range sr.Points {
		if p.Value == nil && p.Symbol == "" {
			continue // a year with nothing published
		}
		value := string(p.Symbol)
		if p.Value != nil {
			value = rounded(*p.Value, d.Decimals)
		}
		code, name := p.PublishedFor(sr.Geography)
		var previous string
		if p.Revised {
			previous = string(p.PreviousSymbol)
			if p.PreviousValue != nil {
				previous = rounded(*p.PreviousValue, d.Decimals)
			}
		}
		w.Write([]string{d.ID, p.Period.String(), code, SafeCell(name), value,
			SafeCell(p.Note), optional(p.Change, d.Decimals), optional(p.ChangePct, 1),
			strconv.FormatBool(p.BreakBefore), strconv.FormatBool(p.Secondary), SafeCell(strings.Join(d.NotesFor(p.Period, code), " ")),
			SafeCell(neighbours), sr.Geography.Code, strconv.FormatBool(p.Revised), previous, SafeCell(p.PreviousRelease),
			optional(p.Numerator, 0), optional(p.Denominator, 0), bound(p.CI95, 0, d.Decimals), bound(p.CI95, 1, d.Decimals),
			bound(p.CI998, 0, d.Decimals), bound(p.CI998, 1, d.Decimals)})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func optional(v *float64, decimals int) string {
	if v == nil {
		return ""
	}
	return rounded(*v, decimals)
}

// bound writes one end of an interval, rounded as the figure is; "" where
// there is none.
func bound(ci *[2]float64, end, decimals int) string {
	if ci == nil {
		return ""
	}
	return rounded(ci[end], decimals)
}

// rounded writes v to the given decimal places, halves away from zero as
// the ONS rounds, with no thousands separators: a number for a program.
func rounded(v float64, decimals int) string {
	scale := math.Pow10(decimals)
	r := math.Round(v*scale) / scale
	if r == 0 {
		r = 0 // no "-0"
	}
	return strconv.FormatFloat(r, 'f', decimals, 64)
}

// SafeCell stops a spreadsheet from running text as a formula: a cell that
// starts with =, +, -, @, tab or carriage return gets a leading apostrophe,
// which spreadsheets hide.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Metadata says what data.csv holds, in plain text.
func Metadata(sr indicators.Series, neighbours string, stamp Stamp, made time.Time) string {
	d := sr.Definition
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", d.Title)
	fmt.Fprintf(&b, "Indicator id: %s\n", d.ID)
	fmt.Fprintf(&b, "Geography: %s (%s)\n", oneLine(sr.Geography.Name), sr.Geography.Code)
	if neighbours != "" {
		fmt.Fprintf(&b, "%s. The area's page compares it with their average, England and its region.\n", neighbours)
	}
	if n := len(sr.Points); n > 0 {
		fmt.Fprintf(&b, "Years: %s to %s (reporting years ending 31 March)\n", sr.Points[0].Period, sr.Points[n-1].Period)
	}
	fmt.Fprintf(&b, "Unit: %s\n", d.Unit)
	fmt.Fprintf(&b, "Data version: %d\n", stamp.Version)
	if !stamp.Updated.IsZero() {
		fmt.Fprintf(&b, "Data last updated: %s\n", stamp.Updated.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(&b, "File made: %s\n", made.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "\nDefinition\n%s\n", d.Definition)
	fmt.Fprintf(&b, "\nSource\n%s\n", d.Source.Name)
	if d.Source.URL != "" {
		fmt.Fprintf(&b, "%s\n", d.Source.URL)
	}
	if len(d.Breaks) > 0 {
		b.WriteString("\nBreaks in series (no change is computed across a break)\n")
		for _, br := range d.Breaks {
			fmt.Fprintf(&b, "- Before %s: %s\n", br.Period, br.Explanation)
		}
	}
	if len(d.Notes) > 0 {
		b.WriteString("\nNotes on particular years\n")
		for _, n := range d.Notes {
			fmt.Fprintf(&b, "- %s: %s\n", n.Period, n.Text)
		}
	}
	if len(d.Footnotes) > 0 {
		b.WriteString("\nFootnotes\n")
		for i, f := range d.Footnotes {
			fmt.Fprintf(&b, "%d. %s\n", i+1, f)
		}
	}
	b.WriteString("\nColumns of data.csv\n" +
		"indicator, period, geography_code, geography_name, value, note: the cptrends upload format (value is a number or a suppression symbol)\n" +
		"change, change_pct: change on the previous year (percentage points for percentages; change_pct in per cent); empty where none can be computed\n" +
		"break_before: a break in series lies between the previous year and this one\n" +
		"secondary_source: the figure is quoted from a secondary source\n" +
		"caveats: the definition's notes on this year\n" +
		"statistical_neighbours: the neighbour set the area's page compares it with; empty for England and areas with none\n" +
		"series_geography_code: the area whose series the row is part of; geography_code differs from it on a predecessor's figure, shown before a boundary change\n" +
		"revised, previous_value, previous_release: whether the figure revised an earlier one, that figure, and the upload that published it\n" +
		"numerator, denominator: the counts a percentage or rate divides, where both are held\n" +
		"ci95_low, ci95_high, ci998_low, ci998_high: the 95% and 99.8% confidence intervals of a percentage (Wilson's score method) or rate (Byar's method, exact below 10 events): the range the figure could have reached by chance in a year like this one, not a sampling error\n")
	return b.String()
}

// oneLine keeps text from an upload on one line of a plain text file.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

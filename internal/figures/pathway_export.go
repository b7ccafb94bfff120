package figures

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// pathwayCSVHeader names the columns of the pathway's data download: one
// row per stage and per conversion in the year.
var pathwayCSVHeader = []string{"period", "geography_code", "geography_name", "measure", "from", "to",
	"value", "symbol", "rate_per_10000", "per_100", "change_on_year", "no_change",
	"england", "region_code", "region", "neighbours_mean", "neighbours_min", "neighbours_max", "neighbours_used", "neighbours_of",
	"over_100", "notes", "statistical_neighbours"}

// PathwayCSV writes a pathway as CSV, header first. Stages give the count
// and its rate per 10,000 children (one decimal place, as published);
// conversions the later stage per 100 of the earlier, unrounded, as the
// API gives them, and their change on the year in points. The comparators
// are in the same unit as the row's figure.
func PathwayCSV(pw Pathway) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(pathwayCSVHeader)
	base := func() []string {
		return []string{pw.Period.String(), pw.Geography.Code, SafeCell(pw.Geography.Name)}
	}
	// cmp is the comparators' columns: england, region_code, region (its
	// figure), neighbours_mean, neighbours_min, neighbours_max,
	// neighbours_used, neighbours_of.
	cmp := func(c PathwayCompare, decimals int) []string {
		out := []string{optionalExact(c.England, decimals), "", "", "", "", "", "", ""}
		if r := c.Region; r != nil {
			out[1], out[2] = r.Code, optionalExact(r.Value, decimals)
			if r.Value == nil {
				out[2] = string(r.Symbol)
			}
		}
		if nb := c.Neighbours; nb != nil {
			out[3], out[4], out[5] = optionalExact(nb.Mean, decimals), optionalExact(nb.Min, decimals), optionalExact(nb.Max, decimals)
			out[6], out[7] = strconv.Itoa(nb.Used), strconv.Itoa(nb.Of)
		}
		return out
	}
	for _, st := range pw.Stages {
		row := base()
		value := ""
		if st.Value != nil {
			value = rounded(*st.Value, st.Def.Decimals)
		}
		row = append(row, st.ID, "", "", value, string(st.Symbol), optionalExact(st.Rate, 1), "", "", "")
		row = append(row, cmp(st.Compare, 1)...)
		row = append(row, "false", SafeCell(strings.Join(st.Notes, " ")), SafeCell(pw.NeighbourSet))
		w.Write(row)
	}
	for _, cv := range pw.Conversions {
		row := base()
		row = append(row, cv.From+"_to_"+cv.To, cv.From, cv.To, "", string(cv.Symbol), "", optionalExact(cv.PerHundred, -1),
			optionalExact(cv.Change, -1), SafeCell(strings.TrimSpace(cv.NoValue+" "+noChange(cv))))
		row = append(row, cmp(cv.Compare, -1)...)
		row = append(row, strconv.FormatBool(cv.Over100), SafeCell(cv.Caveat), SafeCell(pw.NeighbourSet))
		w.Write(row)
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func noChange(cv Conversion) string {
	if cv.Change != nil || cv.NoChange == "" {
		return ""
	}
	return "No change on the year: " + cv.NoChange + "."
}

// optionalExact writes v rounded to decimals, or in full (decimals < 0),
// or "" for none.
func optionalExact(v *float64, decimals int) string {
	switch {
	case v == nil:
		return ""
	case decimals < 0:
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	return rounded(*v, decimals)
}

// PathwayMetadata is the metadata.txt beside a pathway's CSV: what the
// file holds, the year, the comparators, how the rates and conversions
// were worked out, the caveats, and the data version.
func PathwayMetadata(pw Pathway, stamp Stamp, made time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "The child protection pathway, %s\n\n", pw.Period)
	fmt.Fprintf(&b, "Geography: %s (%s)\n", oneLine(pw.Geography.Name), pw.Geography.Code)
	fmt.Fprintf(&b, "Year: %s (the reporting year ending 31 March %d)\n", pw.Period, pw.Period.EndYear())
	if pw.NeighbourSet != "" {
		fmt.Fprintf(&b, "%s. Their average is the simple mean of those with a figure.\n", pw.NeighbourSet)
	}
	fmt.Fprintf(&b, "Data version: %d\n", stamp.Version)
	if !stamp.Updated.IsZero() {
		fmt.Fprintf(&b, "Data last updated: %s\n", stamp.Updated.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(&b, "File made: %s\n", made.UTC().Format(time.RFC3339))
	b.WriteString("\nStages (rows with a measure that is an indicator id)\n")
	for _, st := range pw.Stages {
		fmt.Fprintf(&b, "- %s: %s\n", st.ID, st.Def.Definition)
	}
	b.WriteString("Rates are per 10,000 children aged 0 to 17: the count divided by the ONS mid-year estimate for the year in which the reporting year starts, on the current estimates for every year, to one decimal place.\n")
	b.WriteString("\nConversions (rows with from and to)\n")
	b.WriteString("per_100 is the count of the later stage per 100 of the earlier stage's in the same year, unrounded; change_on_year is its change from the year before, in points, or empty with the reason in no_change.\n")
	b.WriteString("\nCaveats\n")
	for _, c := range pw.Caveats {
		fmt.Fprintf(&b, "- %s\n", c)
	}
	if len(pw.Stages) > 0 {
		fmt.Fprintf(&b, "\nSource\n%s\n%s\n", pw.Stages[0].Def.Source.Name, pw.Stages[0].Def.Source.URL)
	}
	return b.String()
}

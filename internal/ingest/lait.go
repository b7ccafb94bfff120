package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"cptrends/indicators"
)

// The department's Local Authority Interactive Tool (LAIT) keeps its
// figures in a long layout: one value a row, with the measure in
// "Short Desc", the reporting year in "Years" (2016 is 2015/16), the area
// by name in "LA and Regions" and by three-digit number in "LA Number".
// LAIT is a compilation built from the department's tables, not a file the
// department publishes as statistics: every value read from it says so in
// its note.

// laitColumns are the columns of a LAIT file, by normalised name; the
// first five are required.
var laitColumns = []string{"short desc", "years", "la and regions", "values", "la number", "data item", "region"}

// laitMeasures maps a LAIT measure ("Short Desc") to the indicator it
// feeds. Measures not named here are skipped and listed.
var laitMeasures = map[string]string{
	"CPPlans2yrs": "cpp_ended_2yrs_plus_pct",
	"CPRDuration": "cpp_ended_2yrs_plus",
}

// laitEngland is England's number in LAIT. England's figures are not read
// from LAIT: the national file carries the department's own, which LAIT's
// agree with, and one upload must not give a cell twice.
const laitEngland = "970"

// laitRegions are the numbers LAIT gives England's regions (980 to 990,
// with Inner and Outer London), with the name LAIT writes and the ONS code
// and name the department's EES files give the region.
var laitRegions = map[string]struct{ laitName, code, name string }{
	"980": {"North East", "E12000001", "North East"},
	"981": {"North West", "E12000002", "North West"},
	"982": {"Yorkshire and the Humber", "E12000003", "Yorkshire and The Humber"},
	"983": {"East Midlands", "E12000004", "East Midlands"},
	"984": {"West Midlands", "E12000005", "West Midlands"},
	"985": {"East of England", "E12000006", "East of England"},
	"986": {"London", "E12000007", "London"},
	"987": {"London (Inner)", "E13000001", "Inner London"},
	"988": {"London (Outer)", "E13000002", "Outer London"},
	"989": {"South East", "E12000008", "South East"},
	"990": {"South West", "E12000009", "South West"},
}

// Notes on values read from LAIT.
const (
	LAITNote       = "From the department's Local Authority Interactive Tool (LAIT), a compilation of table D7, not the department's own statistics file."
	LAITSymbolNote = "LAIT writes every unavailable or suppressed value as \"-\" without saying which symbol the department published; shown here as x (not available)."
)

// isLAIT reports whether the first line of a file is a LAIT header.
func isLAIT(head []byte) bool {
	found := headerNames(head)
	return found["short desc"] && found["la number"] && found["years"]
}

// oldCodeYear is an authority's three-digit code in one reporting year.
type oldCodeYear struct {
	old    string
	period indicators.Period
}

// codeFor gives the ONS code and name of the authority with three-digit
// code old in period p: as the EES rows read so far in this upload give
// it for that year, else from the codes known before (Options.LACodes),
// choosing, where one three-digit code has had several ONS codes, the
// code in use in p (the one whose last year is the first at or after p).
func (r *reader) codeFor(old string, p indicators.Period) (indicators.LACode, bool) {
	if c, ok := r.byOldYear[oldCodeYear{old, p}]; ok {
		return c, true
	}
	var best indicators.LACode
	found := false
	consider := func(c indicators.LACode) {
		if c.Old != old {
			return
		}
		switch {
		case !found:
			best, found = c, true
		case best.LastPeriod.Before(p) && !c.LastPeriod.Before(p):
			best = c // in use in p, where best had ended before it
		case !c.LastPeriod.Before(p) && c.LastPeriod.Before(best.LastPeriod):
			best = c // the earliest of those in use in p
		case best.LastPeriod.Before(p) && best.LastPeriod.Before(c.LastPeriod):
			best = c // none in use in p: the latest
		}
	}
	for _, c := range r.res.LACodes {
		consider(c)
	}
	for _, c := range r.opts.LACodes {
		consider(c)
	}
	return best, found
}

// readLAIT reads a LAIT file and returns its number of data rows.
func (r *reader) readLAIT(name string, in io.Reader) int {
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = 0
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		r.csvProblem(name, err)
		return 0
	}
	index := map[string]int{}
	headers := make([]string, len(header))
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		headers[i] = h
		if msg := checkText(h); msg != "" {
			r.problem(name, 1, NoColumn, "the name of column %d %s", i+1, msg)
			return 0
		}
		index[normalizeHeader(h)] = i
	}
	for _, c := range laitColumns[:5] {
		if _, ok := index[c]; !ok {
			r.problem(name, 1, NoColumn, "the column %q is missing; a LAIT file has Short Desc, Years, LA and Regions, Values and LA Number", c)
			return 0
		}
	}
	col := func(key string) int { return index[key] }
	descCol, yearCol, areaCol, valueCol, numCol := col("short desc"), col("years"), col("la and regions"), col("values"), col("la number")

	skipped := map[string]int{}
	rows, kept := 0, 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		rows++
		if errors.Is(err, errTooLarge) {
			return rows - 1
		}
		if err != nil {
			r.csvProblem(name, err)
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		fail := func(c int, format string, args ...any) {
			at, _ := cr.FieldPos(c)
			r.problem(name, at, headers[c], format, args...)
		}
		cell := func(c int) (string, bool) {
			v := strings.TrimSpace(rec[c])
			if msg := checkText(v); msg != "" {
				fail(c, "the %s %s", headers[c], msg)
				return "", false
			}
			return v, true
		}
		desc, ok1 := cell(descCol)
		year, ok2 := cell(yearCol)
		area, ok3 := cell(areaCol)
		text, ok4 := cell(valueCol)
		num, ok5 := cell(numCol)
		if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
			continue
		}
		id, known := laitMeasures[desc]
		if !known {
			if desc == "" {
				fail(descCol, "the Short Desc is empty; expected the LAIT measure, such as CPPlans2yrs")
				continue
			}
			skipped[fmt.Sprintf("Short Desc %s, which feeds no indicator", quote(desc))]++
			continue
		}
		def, ok := r.cat.Lookup(id)
		if !ok {
			skipped[fmt.Sprintf("Short Desc %s, which feeds no indicator", quote(desc))]++
			continue
		}
		bad := false
		var period indicators.Period
		if y, err := strconv.Atoi(year); len(year) != 4 || err != nil {
			fail(yearCol, "the Years %s is not a year; expected four digits such as 2016 (the reporting year ending 31 March 2016, 2015/16)", quote(year))
			bad = true
		} else if period, err = indicators.PeriodFromEndYear(y); err != nil {
			fail(yearCol, "the Years %s: %v", quote(year), err)
			bad = true
		}
		var geo indicators.Geography
		switch reg, isRegion := laitRegions[num]; {
		case num == laitEngland:
			skipped["England's rows, which the national file carries"]++
			continue
		case isRegion:
			if !strings.EqualFold(area, reg.laitName) {
				fail(areaCol, "the LA and Regions %s does not go with the LA Number %s, which is %s", quote(area), num, reg.laitName)
				bad = true
			}
			geo = indicators.Geography{Code: reg.code, Name: reg.name, Level: indicators.LevelRegional}
		case len(num) != 3 || !digitsOnly(num):
			fail(numCol, "the LA Number %s is not a three-digit local authority number such as 204", quote(num))
			bad = true
		case !bad:
			c, found := r.codeFor(num, period)
			if !found {
				fail(numCol, "the LA Number %s (%s) is not the old_la_code of any local authority known; load it with, or after, a file of the department's in the EES layout that gives that authority's codes", num, quote(area))
				bad = true
				break
			}
			geo = indicators.Geography{Code: c.New, Name: c.Name, Level: indicators.LevelLocal}
		}
		value, symbol, err := laitValue(def, text)
		if err != nil {
			fail(valueCol, "%v", err)
			bad = true
		}
		if bad {
			continue
		}
		if symbol != "" && !existed(geo.Code, period) {
			// LAIT lists every authority in every year; "-" for a year
			// before an authority was created or after it was replaced
			// is no figure of it.
			skipped["rows of \"-\" for an authority in a year before it was created or after it was replaced"]++
			continue
		}
		note := LAITNote
		if symbol != "" {
			note += " " + LAITSymbolNote
		}
		o := indicators.Observation{Indicator: id, Geography: geo, Period: period, Value: value, Symbol: symbol, Note: note}
		n := len(r.res.Problems)
		r.keep(name, line, o)
		if len(r.res.Problems) > n {
			r.res.Problems[n].Column = headers[valueCol]
		}
		kept++
	}
	if rows == 0 {
		r.problem(name, 1, NoColumn, "the file has a header but no rows of data")
		return rows
	}
	var reasons []string
	for reason, n := range skipped {
		reasons = append(reasons, fmt.Sprintf("%s (%d %s skipped)", reason, n, plural(n, "row", "rows")))
	}
	sort.Strings(reasons)
	if len(reasons) > 0 {
		r.res.Ignored[name] = reasons
	}
	return rows
}

// existed reports whether the area with ONS code code existed in period
// p, as far as the boundary changes declared in indicators know. A change
// of code alone (joined) makes no new area.
func existed(code string, p indicators.Period) bool {
	areas := indicators.DefaultAreas()
	if c, _, ok := areas.Created(code); ok && !c.Joined && p.Before(c.Period) {
		return false
	}
	if c, ok := areas.Replaced(code); ok && !c.Joined && !p.Before(c.Period) {
		return false
	}
	return true
}

// laitValue reads a LAIT value: "-" (LAIT's one mark for anything not
// shown) is the symbol x; a number is rounded to the decimal places the
// department publishes, which removes LAIT's floating-point noise
// (4.4000000000000004 is 4.4). A number with more precision than noise
// explains is refused, not rounded.
func laitValue(def *indicators.Definition, s string) (*float64, indicators.Symbol, error) {
	if s == "-" {
		return nil, "x", nil
	}
	v, sym, err := ParseValue(noiseTolerant(def), s)
	if err != nil || sym != "" {
		return v, sym, err
	}
	scale := math.Pow(10, float64(def.Decimals))
	rounded := math.Round(*v*scale) / scale
	if math.Abs(rounded-*v) > 1e-9*math.Max(1, math.Abs(*v)) {
		return nil, "", fmt.Errorf("the value %s has more decimal places than the %d published; floating-point noise such as 4.4000000000000004 is rounded, but this is not noise", quote(s), def.Decimals)
	}
	if def.Unit == indicators.UnitCount && rounded > maxCount {
		return nil, "", fmt.Errorf("the value %s is too large for a count", quote(s))
	}
	return &rounded, "", nil
}

// noiseTolerant is def read as a rate, for a count, so that ParseValue
// accepts a count with floating-point noise (2.0000000000000004), which
// laitValue then rounds.
func noiseTolerant(def *indicators.Definition) *indicators.Definition {
	if def.Unit != indicators.UnitCount {
		return def
	}
	d := *def
	d.Unit = indicators.UnitRate
	return &d
}

package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"cptrends/indicators"

	"github.com/gocarina/gocsv"
)

// nativeRow is one line of the native format. Every field is read as text
// and validated here, so that each problem can be reported with its column.
type nativeRow struct {
	Indicator     string `csv:"indicator"`
	Period        string `csv:"period"`
	GeographyCode string `csv:"geography_code"`
	GeographyName string `csv:"geography_name"`
	Value         string `csv:"value"`
	Note          string `csv:"note"`
}

var (
	nativeColumns   = []string{"indicator", "period", "geography_code", "geography_name", "value", "note"}
	requiredColumns = []string{"indicator", "period", "value"}
)

// readNative reads a file in the native format and returns its data rows.
// gocsv maps the header onto a nativeRow (names matched by the normaliser
// set in init); our own csv.Reader says which line each row came from.
func (r *reader) readNative(name string, in io.Reader) int {
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = 0 // every line has as many fields as the header
	cr.ReuseRecord = true
	um, err := gocsv.NewUnmarshaller(cr, nativeRow{})
	if err != nil {
		r.csvProblem(name, err)
		return 0
	}
	if !r.checkHeader(name, um.Headers) {
		return 0
	}
	rows := 0
	for {
		v, err := um.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		rows++
		if err != nil {
			var pe *csv.ParseError
			if errors.Is(err, errTooLarge) {
				return rows - 1 // reported once, on line 1, when the file is drained
			}
			if !errors.As(err, &pe) {
				r.problem(name, rows+1, NoColumn, "the line could not be read")
				break
			}
			r.csvProblem(name, err) // and read on: csv.Reader resumes at the next line
			continue
		}
		line, _ := cr.FieldPos(0)
		r.addNative(name, line, v.(nativeRow))
	}
	if rows == 0 {
		r.problem(name, 1, NoColumn, "the file has a header but no rows of data")
	}
	return rows
}

func (r *reader) csvProblem(name string, err error) {
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount):
		r.problem(name, pe.Line, NoColumn, "this line does not have the same number of fields as the header")
	case errors.As(err, &pe):
		r.problem(name, pe.Line, NoColumn, "this line is not valid CSV (%v); check the quotation marks", pe.Err)
	case errors.Is(err, errTooLarge):
		// reported once the file has been drained
	default:
		r.problem(name, 1, NoColumn, "the file could not be read as CSV")
	}
}

// checkHeader reports missing, repeated and unknown columns.
func (r *reader) checkHeader(name string, headers []string) bool {
	count := map[string]int{}
	for _, h := range headers {
		count[h]++
	}
	ok := true
	for _, c := range requiredColumns {
		if count[c] == 0 {
			r.problem(name, 1, c, "the required column %q is missing; the header must name indicator, period and value", c)
			ok = false
		}
	}
	var ignored []string
	for h, n := range count {
		// Unnamed columns (trailing commas, as spreadsheets write them)
		// carry nothing and may repeat.
		if n > 1 && h != "" {
			r.problem(name, 1, h, "the column %q appears %d times", h, n)
			ok = false
		}
		if !contains(nativeColumns, h) && h != "" {
			ignored = append(ignored, h)
		}
	}
	sort.Strings(ignored)
	if len(ignored) > 0 {
		r.res.Ignored[name] = ignored
	}
	return ok
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// addNative validates one row and, if it is sound, keeps its observation.
func (r *reader) addNative(name string, line int, row nativeRow) {
	bad := false
	fail := func(column, format string, args ...any) {
		r.problem(name, line, column, format, args...)
		bad = true
	}
	fields := []struct{ column, value string }{
		{"indicator", row.Indicator}, {"period", row.Period}, {"geography_code", row.GeographyCode},
		{"geography_name", row.GeographyName}, {"value", row.Value}, {"note", row.Note},
	}
	for _, f := range fields {
		if msg := checkText(f.value); msg != "" {
			fail(f.column, "the %s %s", f.column, msg)
		}
	}
	if bad {
		return
	}

	id := strings.TrimSpace(row.Indicator)
	def, known := r.cat.Lookup(id)
	switch {
	case id == "":
		fail("indicator", "the indicator is empty; expected an indicator id such as referrals")
	case !known:
		fail("indicator", "unknown indicator %s; expected one of %s", quote(id), knownIDs(r.cat))
	}

	period, err := indicators.ParsePeriod(row.Period)
	if err != nil {
		fail("period", "%s", periodMessage(row.Period, err))
	}

	geo := indicators.England
	if code := strings.TrimSpace(row.GeographyCode); code != "" && code != indicators.EnglandCode {
		if !indicators.ValidCode(code) {
			fail("geography_code", "%s is not an ONS geography code; expected a capital letter and eight digits, such as E92000001", quote(code))
		}
		geo = indicators.Geography{Code: code, Name: code, Level: indicators.LevelOf(code)}
	}
	if n := strings.TrimSpace(row.GeographyName); n != "" {
		if utf8.RuneCountInString(n) > indicators.MaxNameLength {
			fail("geography_name", "the area name is longer than %d characters", indicators.MaxNameLength)
		}
		geo.Name = n
	}

	note := strings.TrimSpace(row.Note)
	if utf8.RuneCountInString(note) > indicators.MaxNoteLength {
		fail("note", "the note is longer than %d characters", indicators.MaxNoteLength)
	}

	var value *float64
	var symbol indicators.Symbol
	if known {
		value, symbol, err = ParseValue(def, row.Value)
		if err != nil {
			fail("value", "%v", err)
		}
	}
	if bad {
		return
	}
	r.keep(name, line, indicators.Observation{Indicator: id, Geography: geo, Period: period, Value: value, Symbol: symbol, Note: note})
}

// keep adds an observation, refusing a second, different value for a cell
// already given in this upload. An identical repeat is harmless.
func (r *reader) keep(name string, line int, o indicators.Observation) {
	prevFile, prevLine, same, dup, prev := r.cells.add(name, line, &o)
	if dup {
		if !same {
			r.problem(name, line, "value", "conflicts with %s line %d, which gives %s for %s, %s, %s",
				prevFile, prevLine, describe(prev), o.Indicator, o.Geography.Code, o.Period)
		}
		return
	}
	switch {
	case r.sink == nil:
		r.res.Observations = append(r.res.Observations, o)
	case r.sinkErr == nil && r.res.OK():
		r.sinkErr = r.sink(o)
	}
}

func describe(o indicators.Observation) string {
	if o.Value == nil {
		return fmt.Sprintf("the symbol %q", string(o.Symbol))
	}
	return fmt.Sprintf("%g", *o.Value)
}

func periodMessage(found string, err error) string {
	if strings.TrimSpace(found) == "" {
		return "the period is empty; expected a reporting year such as 2014/15"
	}
	return err.Error()
}

func knownIDs(cat *indicators.Catalog) string {
	var ids []string
	for _, d := range cat.All() {
		ids = append(ids, d.ID)
	}
	sort.Strings(ids)
	return strings.Join(ids, ", ")
}

package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"cptrends/indicators"
)

// Open data files of Explore Education Statistics (EES) are read as they
// are downloaded: one row per geography, reporting year and category, with
// one column per measure. Each indicator definition names, in its ees
// field, the measure columns it is read from; every other measure column is
// reported in Result.Ignored, not refused.

// EES columns that identify a row rather than measure something. They are
// never measure columns and never listed as ignored.
var eesKeyColumns = map[string]bool{
	"time_period": true, "time_identifier": true, "geographic_level": true,
	"country_code": true, "country_name": true,
	"region_code": true, "region_name": true,
	"old_la_code": true, "new_la_code": true, "la_name": true,
	"category": true,
	// Geographies below or beside local authority: their rows are skipped.
	"lad_code": true, "lad_name": true, "ward_code": true, "ward_name": true,
	"pcon_code": true, "pcon_name": true, "lsip_code": true, "lsip_name": true,
	"local_enterprise_partnership_code": true, "local_enterprise_partnership_name": true,
	"english_devolved_area_code": true, "english_devolved_area_name": true,
	"opportunity_area_code": true, "opportunity_area_name": true,
	"planning_area_code": true, "planning_area_name": true,
	"school_urn": true, "school_laestab": true, "school_name": true, "school_postcode": true,
	"provider_ukprn": true, "provider_name": true, "trust_id": true, "trust_name": true,
	"sponsor_id": true, "sponsor_name": true, "rsc_region_lead_name": true,
	"institution_id": true, "institution_name": true,
}

// eesFilterColumns break a file's rows down further (by age, sex, ...).
// Only their "Total" rows are read; the others are skipped and counted,
// since each would otherwise give a second value for the same cell.
var eesFilterColumns = []string{
	"age_group", "sex", "gender", "ethnicity", "ethnicity_major", "ethnicity_minor",
	"characteristic", "characteristic_type", "breakdown", "breakdown_topic",
}

func init() {
	for _, c := range eesFilterColumns {
		eesKeyColumns[c] = true
	}
}

// eesLevels maps the geographic levels read to the columns that hold the
// area's code and name.
var eesLevels = map[string]struct{ level, code, name, example string }{
	"national":        {indicators.LevelNational, "country_code", "country_name", "E92000001"},
	"regional":        {indicators.LevelRegional, "region_code", "region_name", "E12000001"},
	"local authority": {indicators.LevelLocal, "new_la_code", "la_name", "E09000012"},
}

// isEES reports whether the first line of a file (head, as peeked) is the
// header of an EES open data file.
func isEES(head []byte) bool {
	found := headerNames(head)
	return found["time_period"] && found["time_identifier"] && found["geographic_level"]
}

// headerNames is the set of normalised column names on the first line of
// a file (head, as peeked); empty when it is not CSV.
func headerNames(head []byte) map[string]bool {
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i+1]
	}
	cr := csv.NewReader(bytes.NewReader(head))
	cr.LazyQuotes = true
	found := map[string]bool{}
	rec, err := cr.Read()
	if err != nil {
		return found
	}
	for _, h := range rec {
		found[normalizeHeader(h)] = true
	}
	return found
}

// eesMeasure is a measure column read into an indicator.
type eesMeasure struct {
	col     int
	def     *indicators.Definition
	midYear bool // time_period is a mid-year, filed under the year it starts
}

// eesFile is the state of reading one EES file.
type eesFile struct {
	name     string
	headers  []string       // as written, trimmed, without a byte-order mark
	index    map[string]int // normalised header -> column
	measures []int          // columns that are not key columns
	filters  []int          // filter columns present
	// byCategory caches, per category value, the measure columns that feed
	// an indicator.
	byCategory map[string][]eesMeasure
	used       map[int]bool
	once       map[string]bool
	skipped    map[string]int
	kept       int
	// codes gathers the local authorities' codes from the rows read; nil
	// when the file lacks one of their columns.
	codes *laCodes
}

// readEES reads an EES open data file and returns its number of data rows.
func (r *reader) readEES(name string, in io.Reader) int {
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = 0 // every line has as many fields as the header
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		r.csvProblem(name, err)
		return 0
	}
	f := &eesFile{name: name, index: map[string]int{}, byCategory: map[string][]eesMeasure{},
		used: map[int]bool{}, once: map[string]bool{}, skipped: map[string]int{}}
	ok := true
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		f.headers = append(f.headers, h)
		key := normalizeHeader(h)
		if msg := checkText(h); msg != "" {
			r.problem(name, 1, NoColumn, "the name of column %d %s", i+1, msg)
			ok = false
			continue
		}
		if key == "" {
			continue // an unnamed column feeds nothing
		}
		if prev, dup := f.index[key]; dup {
			r.problem(name, 1, h, "the column %q appears twice (columns %d and %d)", h, prev+1, i+1)
			ok = false
			continue
		}
		f.index[key] = i
		if !eesKeyColumns[key] {
			f.measures = append(f.measures, i)
		}
	}
	for _, c := range eesFilterColumns {
		if i, ok := f.index[c]; ok {
			f.filters = append(f.filters, i)
		}
	}
	if !ok {
		return 0
	}

	problemsBefore := len(r.res.Problems) + r.res.Omitted
	f.codes, _ = newLACodes(f.index) // nil without the key columns
	rows := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		rows++
		if errors.Is(err, errTooLarge) {
			return rows - 1 // reported once, on line 1, when the file is drained
		}
		if err != nil {
			r.csvProblem(name, err)
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				break
			}
			continue // csv.Reader resumes at the next line
		}
		r.addEES(f, cr, rec)
	}
	if f.codes != nil {
		r.res.LACodes = append(r.res.LACodes, f.codes.list()...)
		for code, c := range f.codes.byCode {
			r.codeLast[code] = max(r.codeLast[code], c.LastPeriod)
		}
		for k, c := range f.codes.years {
			// Where files give one authority two codes for a year (an
			// old code kept in one file), the code still in use wins.
			if prev, ok := r.byOldYear[k]; !ok || r.codeLast[c.New] > r.codeLast[prev.New] {
				r.byOldYear[k] = c
			}
		}
	}
	if rows == 0 {
		r.problem(name, 1, NoColumn, "the file has a header but no rows of data")
		return rows
	}

	var ignored []string
	for _, i := range f.measures {
		if !f.used[i] {
			ignored = append(ignored, f.headers[i])
		}
	}
	sort.Strings(ignored)
	var reasons []string
	for reason, n := range f.skipped {
		reasons = append(reasons, fmt.Sprintf("%s (%d %s skipped)", reason, n, plural(n, "row", "rows")))
	}
	sort.Strings(reasons)
	if all := append(ignored, reasons...); len(all) > 0 {
		r.res.Ignored[name] = all
	}

	if f.kept == 0 && len(r.res.Problems)+r.res.Omitted == problemsBefore {
		if !r.eesAnyColumn(f) {
			r.problem(name, 1, NoColumn, "no column of this file feeds an indicator; expected one of %s", eesColumnList(r.cat))
		} else {
			r.problem(name, 1, "geographic_level", "no row of this file was read: rows must be at National, Regional or Local authority level (with any age_group or similar breakdown at Total)")
		}
	}
	return rows
}

// addEES validates one data row and keeps the observations it holds.
func (r *reader) addEES(f *eesFile, cr *csv.Reader, rec []string) {
	line, _ := cr.FieldPos(0)
	bad := false
	fail := func(col int, format string, args ...any) {
		at := line
		if col >= 0 {
			at, _ = cr.FieldPos(col)
		}
		column := NoColumn
		if col >= 0 {
			column = f.headers[col]
		}
		r.problem(f.name, at, column, format, args...)
		bad = true
	}
	// get returns a cell by its normalised column name, its column (or -1
	// when the file has no such column) and whether the text is sound.
	get := func(key string) (string, int, bool) {
		i, ok := f.index[key]
		if !ok {
			return "", -1, true
		}
		v := eesCell(rec[i])
		if msg := checkText(v); msg != "" {
			fail(i, "the %s %s", f.headers[i], msg)
			return "", i, false
		}
		return v, i, true
	}

	levelText, levelCol, ok := get("geographic_level")
	if !ok {
		return
	}
	lv, known := eesLevels[strings.ToLower(levelText)]
	if !known {
		if levelText == "" {
			fail(levelCol, "the geographic_level is empty; expected National, Regional or Local authority")
			return
		}
		f.skipped[fmt.Sprintf("geographic_level %q", levelText)]++
		return
	}
	// A row broken down below Total is read only for the fields whose
	// filters ask for its values; filterKey names those values.
	filterKey, firstFilter := "", -1
	for _, i := range f.filters {
		if v := eesCell(rec[i]); v != "" && !strings.EqualFold(v, "Total") {
			filterKey += f.headers[i] + "=" + v + "\x00"
			if firstFilter < 0 {
				firstFilter = i
			}
		}
	}
	if filterKey != "" && len(r.eesMapping(f, eesRowCategory(f, rec), filterKey, rec)) == 0 {
		f.skipped[fmt.Sprintf("%s other than Total", f.headers[firstFilter])]++
		return
	}

	period, periodOK := r.eesPeriod(f, get, fail)
	if !periodOK {
		bad = true
	}

	geo := indicators.Geography{Level: lv.level}
	code, codeCol, ok := get(lv.code)
	switch {
	case !ok:
	case codeCol < 0:
		r.missingColumn(f, lv.code, levelText)
		bad = true
	case code == "":
		fail(codeCol, "the %s is empty; %s rows need the area's ONS code, such as %s", f.headers[codeCol], levelText, lv.example)
	case !indicators.ValidCode(code):
		fail(codeCol, "the %s %s is not an ONS geography code; expected a capital letter and eight digits, such as %s", f.headers[codeCol], quote(code), lv.example)
	default:
		geo.Code, geo.Name = code, code
	}
	if name, nameCol, ok := get(lv.name); ok && name != "" {
		if utf8.RuneCountInString(name) > indicators.MaxNameLength {
			fail(nameCol, "the area name is longer than %d characters", indicators.MaxNameLength)
		}
		geo.Name = name
	}

	category, _, ok := get("category")
	if !ok {
		return
	}
	var obs []indicators.Observation
	var cols []int
	for _, m := range r.eesMapping(f, category, filterKey, rec) {
		v := eesCell(rec[m.col])
		if msg := checkText(v); msg != "" {
			fail(m.col, "the %s value %s", f.headers[m.col], msg)
			continue
		}
		if v == "" {
			fail(m.col, "the %s value is empty; expected a number or a suppression symbol (%s); an empty cell is never read as zero", f.headers[m.col], symbolList())
			continue
		}
		value, symbol, err := ParseValue(m.def, v)
		if err != nil {
			fail(m.col, "%v", err)
			continue
		}
		p := period
		if m.midYear {
			p = period.Next()
		}
		obs = append(obs, indicators.Observation{Indicator: m.def.ID, Geography: geo, Period: p, Value: value, Symbol: symbol})
		cols = append(cols, m.col)
	}
	if bad {
		return
	}
	// A local authority row that is read records the authority's codes
	// and region, for the year it gives; they are checked as any other
	// text is, and a row whose codes are unsound is refused with them.
	// A row without an old_la_code gives none (the department leaves it
	// empty for some authorities).
	if lv.level == indicators.LevelLocal && f.codes != nil && len(obs) > 0 {
		if c := f.codes.code(rec, period); c.Old != "" {
			if column, msg := c.Check(); msg != "" {
				col := -1
				if i, ok := f.index[column]; ok {
					col = i
				}
				fail(col, "%s", msg)
				return
			}
			f.codes.keep(c)
		}
	}
	for i, o := range obs {
		// keep names the column "value", as in the native format; here the
		// value comes from a measure column, so name that instead.
		n := len(r.res.Problems)
		r.keep(f.name, line, o)
		if len(r.res.Problems) > n {
			r.res.Problems[n].Column = f.headers[cols[i]]
		}
		f.kept++
	}
}

// eesPeriod reads time_period with time_identifier.
func (r *reader) eesPeriod(f *eesFile, get func(string) (string, int, bool), fail func(int, string, ...any)) (indicators.Period, bool) {
	tp, tpCol, ok1 := get("time_period")
	ti, tiCol, ok2 := get("time_identifier")
	if !ok1 || !ok2 {
		return 0, false
	}
	const expected = "expected Reporting year with a four-digit time_period such as 2015 (the year ending 31 March 2015), or Financial year, Academic year or Tax year with a six-digit time_period such as 201415"
	if tp == "" {
		fail(tpCol, "the time_period is empty; %s", expected)
		return 0, false
	}
	switch strings.ToLower(ti) {
	case "reporting year":
		if len(tp) != 4 || !digitsOnly(tp) {
			fail(tpCol, "the time_period %s does not go with the time_identifier %q; expected a four-digit year such as 2015 (the reporting year ending 31 March 2015, 2014/15)", quote(tp), ti)
			return 0, false
		}
		end, _ := strconv.Atoi(tp)
		p, err := indicators.PeriodFromEndYear(end)
		if err != nil {
			fail(tpCol, "the time_period %s: %v", quote(tp), err)
			return 0, false
		}
		return p, true
	case "financial year", "academic year", "tax year":
		if len(tp) != 6 || !digitsOnly(tp) {
			fail(tpCol, "the time_period %s does not go with the time_identifier %q; expected six digits such as 201415 (2014/15)", quote(tp), ti)
			return 0, false
		}
		p, err := indicators.ParsePeriod(tp)
		if err != nil {
			fail(tpCol, "the time_period %v", err)
			return 0, false
		}
		return p, true
	case "":
		fail(tiCol, "the time_identifier is empty; %s", expected)
	default:
		fail(tiCol, "the time_identifier %s is not one this tool reads; %s", quote(ti), expected)
	}
	return 0, false
}

// missingColumn reports, once per file, a column that rows of some level need.
func (r *reader) missingColumn(f *eesFile, column, level string) {
	if f.once["missing "+column] {
		return
	}
	f.once["missing "+column] = true
	r.problem(f.name, 1, column, "the column %q is missing; %s rows need it for the area's code", column, level)
}

// eesMapping returns the measure columns that feed an indicator in rows of
// the given category. A column matches a definition's ees field by name,
// without regard to case, and by category where the field names one. Two
// definitions claiming one column and category is a configuration error.
// Rows broken down below Total (filterKey not empty) are read only by fields
// whose filters ask for the row's values.
func (r *reader) eesMapping(f *eesFile, category, filterKey string, rec []string) []eesMeasure {
	if m, ok := f.byCategory[category+"\x00"+filterKey]; ok {
		return m
	}
	var out []eesMeasure
	for _, col := range f.measures {
		header := f.headers[col]
		var found []*indicators.Definition
		midYear := false
		for _, d := range r.cat.All() {
			for _, field := range d.EES {
				if eesFieldMatches(field, header, category) && eesFiltersMatch(f, field, rec) {
					found = append(found, d)
					midYear = midYear || field.MidYear
					break
				}
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
		default:
			key := "ambiguous " + header + "\x00" + category
			if !f.once[key] {
				f.once[key] = true
				var ids []string
				for _, d := range found {
					ids = append(ids, d.ID)
				}
				r.problem(f.name, 1, header, "the column %q with category %q feeds more than one indicator (%s); the indicator definitions must tell them apart by category or not_category", header, category, strings.Join(ids, ", "))
			}
		}
		f.used[col] = true
		out = append(out, eesMeasure{col: col, def: found[0], midYear: midYear})
	}
	f.byCategory[category+"\x00"+filterKey] = out
	return out
}

func eesFieldMatches(field indicators.EESField, header, category string) bool {
	if !strings.EqualFold(strings.TrimSpace(field.Column), header) {
		return false
	}
	if c := strings.TrimSpace(field.Category); c != "" && !strings.EqualFold(c, category) {
		return false
	}
	if c := strings.TrimSpace(field.NotCategory); c != "" && strings.EqualFold(c, category) {
		return false
	}
	return true
}

// eesFiltersMatch reports whether a row's breakdown values are the ones
// field reads: the value its filters name, or Total (or empty) for a
// breakdown column they do not name. A filter on a column the file lacks
// never matches.
func eesFiltersMatch(f *eesFile, field indicators.EESField, rec []string) bool {
	for col, want := range field.Filters {
		i, ok := f.index[normalizeHeader(col)]
		if !ok || !strings.EqualFold(eesCell(rec[i]), strings.TrimSpace(want)) {
			return false
		}
	}
	for _, i := range f.filters {
		named := false
		for col := range field.Filters {
			named = named || normalizeHeader(col) == normalizeHeader(f.headers[i])
		}
		if v := eesCell(rec[i]); !named && v != "" && !strings.EqualFold(v, "Total") {
			return false
		}
	}
	return true
}

// eesRowCategory is a row's category, or "" in a file without one.
func eesRowCategory(f *eesFile, rec []string) string {
	if i, ok := f.index["category"]; ok {
		return eesCell(rec[i])
	}
	return ""
}

// eesCell trims a cell; EES writes some empty cells as "" (two quotation
// marks), which count as empty.
func eesCell(s string) string {
	s = strings.TrimSpace(s)
	if s == `""` {
		return ""
	}
	return s
}

// eesAnyColumn reports whether any measure column of f is named in an
// indicator definition, whatever the category.
func (r *reader) eesAnyColumn(f *eesFile) bool {
	for _, col := range f.measures {
		for _, d := range r.cat.All() {
			for _, field := range d.EES {
				if strings.EqualFold(strings.TrimSpace(field.Column), f.headers[col]) {
					return true
				}
			}
		}
	}
	return false
}

// eesColumnList names every measure column the definitions read.
func eesColumnList(cat *indicators.Catalog) string {
	var cols []string
	seen := map[string]bool{}
	for _, d := range cat.All() {
		for _, f := range d.EES {
			if !seen[strings.ToLower(f.Column)] {
				seen[strings.ToLower(f.Column)] = true
				cols = append(cols, f.Column)
			}
		}
	}
	sort.Strings(cols)
	return strings.Join(cols, ", ")
}

func digitsOnly(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

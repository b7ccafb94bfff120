package main

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"os"
	"strconv"
	"strings"
)

// The generated release: England, its 9 regions, 153 upper-tier local
// authorities, and as many ward-sized areas (E05 codes) as it takes to reach
// the requested number of values over 25 reporting years (2000/01 to
// 2024/25) and the nine indicators. Values are a function of the cell, so
// the native and EES files hold exactly the same observations.

type area struct {
	level, code, name string
	region            int // index into regions; -1 for England
	oldCode           string
	scale             float64 // size relative to England
}

var regionNames = []string{"North East", "North West", "Yorkshire and The Humber", "East Midlands",
	"West Midlands", "East of England", "London", "South East", "South West"}

// indicatorOrder is the order of the native file; the EES files group them
// into measure columns.
var indicatorOrder = []struct {
	id      string
	percent bool
	base    float64 // England's size
}{
	{"referrals", false, 620000},
	{"children_referred", false, 550000},
	{"cpp_started", false, 60000},
	{"cpp_at_31_march", false, 50000},
	{"cpp_ended_2yrs_plus", false, 2300},
	{"cpp_ended_2yrs_plus_pct", true, 3.8},
	{"cpp_at_31_march_2yrs_plus_pct", true, 2.1},
	{"cpp_second_or_subsequent", false, 14000},
	{"cpp_second_or_subsequent_pct", true, 23.5},
}

const firstYear, lastYear = 2001, 2025 // reporting years ending 31 March

func areas(n int) []area {
	out := []area{{level: "National", code: "E92000001", name: "England", region: -1, scale: 1}}
	for i, name := range regionNames {
		out = append(out, area{level: "Regional", code: fmt.Sprintf("E1200%04d", i+1), name: name, region: i, scale: 1.0 / 9})
	}
	// 153 local authorities: unitaries (E06), metropolitan districts (E08),
	// London boroughs (E09) and counties (E10), with three-digit old codes.
	kinds := []struct {
		prefix, kind string
		n            int
	}{{"E06", "Unitary authority", 63}, {"E08", "Metropolitan borough", 36}, {"E09", "London borough", 33}, {"E10", "County", 21}}
	old := 800
	for _, k := range kinds {
		for i := 1; i <= k.n; i++ {
			region := (i * 7) % 9
			if k.prefix == "E09" {
				region = 6
			}
			out = append(out, area{level: "Local authority", code: fmt.Sprintf("%s%06d", k.prefix, i),
				name: fmt.Sprintf("%s %d", k.kind, i), region: region, oldCode: strconv.Itoa(old), scale: 1.0 / 153})
			old++
		}
	}
	for i := 1; len(out) < n; i++ {
		out = append(out, area{level: "Local authority", code: fmt.Sprintf("E05%06d", 10000+i),
			name: fmt.Sprintf("Ward %d", i), region: i % 9, oldCode: "", scale: 1.0 / 7000})
	}
	return out
}

// cellValue returns the published text of a cell and its note.
func cellValue(ind int, a *area, year int) (string, string) {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d|%s|%d", ind, a.code, year)
	x := h.Sum64()
	r := x % 1000
	var note string
	switch {
	case x>>20%100 == 0:
		note = "Revised in the " + strconv.Itoa(year+1) + " release, after late returns."
	case x>>20%300 == 1:
		note = "Affected by the COVID-19 pandemic; compare with care."
	}
	switch {
	case a.level != "National" && r < 10:
		return "c", note
	case a.level != "National" && r < 15:
		return "x", note
	case a.level != "National" && r < 18:
		return "u", note
	}
	spec := indicatorOrder[ind]
	wobble := 0.8 + float64(x>>32%4000)/10000 // 0.8 .. 1.2
	growth := 1 + float64(year-firstYear)*0.01
	if spec.percent {
		v := spec.base * wobble * growth
		return strconv.FormatFloat(float64(int(v*10))/10, 'f', 1, 64), note
	}
	v := int(spec.base * a.scale * wobble * growth)
	if a.scale < 0.01 && v < 5 {
		v = 5 + int(r%20)
	}
	return strconv.Itoa(v), note
}

func csvField(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' || s[i] == '"' {
			return strconv.Quote(s) // no quotes or escapes in our text
		}
	}
	return s
}

func periodText(end int) string { return fmt.Sprintf("%d/%02d", end-1, end%100) }

// writeNative writes every cell in the native format, indicator by
// indicator, and returns the rows written.
func writeNative(path string, as []area) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("indicator,period,geography_code,geography_name,value,note\n")
	rows := 0
	for ind, spec := range indicatorOrder {
		for i := range as {
			a := &as[i]
			for y := firstYear; y <= lastYear; y++ {
				v, note := cellValue(ind, a, y)
				if len(v) > 3 && a.level == "National" && !strings.Contains(v, ".") {
					// Thousands separators, quoted as Excel writes them.
					v = `"` + v[:len(v)-3] + "," + v[len(v)-3:] + `"`
				}
				fmt.Fprintf(w, "%s,%s,%s,%s,%s,%s\n", spec.id, periodText(y), a.code, csvField(a.name), v, csvField(note))
				rows++
			}
		}
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	return rows, f.Close()
}

// EES layout: one file with eight measure columns (category "Total"), and
// one with the percentage of open plans that had lasted two years or more
// (category "Child Protection Plans by length of time"), as the department
// publishes them in separate files. Notes have no place in EES files.
var eesMain = []struct {
	column string
	ind    int
}{
	{"Referrals", 0}, {"Referrals_child", 1}, {"CPP_start", 2}, {"CPP_At31", 3},
	{"2_years+", 4}, {"2_years+_percent", 5}, {"CPP_subsequent", 7}, {"CPP_subsequent_percent", 8},
}

const eesKeyHeader = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,category"

func eesKeys(w *bufio.Writer, a *area, year int, category string) {
	region, regionName := "", ""
	if a.region >= 0 {
		region, regionName = fmt.Sprintf("E1200%04d", a.region+1), regionNames[a.region]
	}
	fmt.Fprintf(w, "%d,Reporting year,%s,E92000001,England,", year, a.level)
	switch a.level {
	case "National":
		w.WriteString(",,,,,")
	case "Regional":
		fmt.Fprintf(w, "%s,%s,,,,", region, csvField(regionName))
	default:
		fmt.Fprintf(w, "%s,%s,%s,%s,%s,", region, csvField(regionName), a.oldCode, a.code, csvField(a.name))
	}
	w.WriteString(category)
}

// writeEES writes the same observations as writeNative (without notes), in
// two files, newest year first as the department does. It returns the data
// rows and the values they hold.
func writeEES(mainPath, lengthPath string, as []area) (rows, values int, err error) {
	for _, p := range []string{mainPath, lengthPath} {
		f, err := os.Create(p)
		if err != nil {
			return 0, 0, err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		if p == mainPath {
			w.WriteString(eesKeyHeader)
			for _, m := range eesMain {
				w.WriteString("," + m.column)
			}
			w.WriteString("\n")
		} else {
			w.WriteString(eesKeyHeader + ",2_years_or_more,2_years_or_more_percent\n")
		}
		for y := lastYear; y >= firstYear; y-- {
			for i := range as {
				a := &as[i]
				if p == mainPath {
					eesKeys(w, a, y, "Total")
					for _, m := range eesMain {
						v, _ := cellValue(m.ind, a, y)
						w.WriteString("," + v)
						values++
					}
				} else {
					eesKeys(w, a, y, "Child Protection Plans by length of time")
					v, _ := cellValue(6, a, y)
					// 2_years_or_more feeds no indicator in this category.
					w.WriteString(",z," + v)
					values++
				}
				w.WriteString("\n")
				rows++
			}
		}
		if err := w.Flush(); err != nil {
			return 0, 0, err
		}
		if err := f.Close(); err != nil {
			return 0, 0, err
		}
	}
	return rows, values, nil
}

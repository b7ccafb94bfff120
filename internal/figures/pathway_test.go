package figures

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"cptrends/indicators"
)

var pathwayAreas = []string{indicators.EnglandCode, "E09000012", "E10000014", "E06000063"} // Hackney, Hampshire, Cumberland

func TestPathway_ConversionsAreRatios(t *testing.T) {
	r := sharedReader(t)
	ctx := context.Background()
	for _, code := range pathwayAreas {
		geo, err := r.Geography(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(geo.Name, func(t *testing.T) {
			counts := map[string]indicators.Series{}
			for _, id := range []string{"referrals", "s47_enquiries", "icpcs", "cpp_started", "cpp_at_31_march"} {
				d, _ := r.Catalog.Lookup(id)
				if counts[id], err = r.Series(ctx, d, geo); err != nil {
					t.Fatal(err)
				}
			}
			latest, err := r.Pathway(ctx, geo, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(latest.Periods) < 5 {
				t.Fatalf("periods %v: want the years from 2012/13 or 2013/14 on", latest.Periods)
			}
			if want := indicators.PeriodOf(2025); latest.Period != want {
				t.Errorf("default period %s, want %s (the latest with figures)", latest.Period, want)
			}
			checked := 0
			for _, per := range latest.Periods {
				pw, err := r.Pathway(ctx, geo, per)
				if err != nil {
					t.Fatal(err)
				}
				if len(pw.Stages) != 5 || len(pw.Conversions) != 3 {
					t.Fatalf("%s: %d stages, %d conversions", per, len(pw.Stages), len(pw.Conversions))
				}
				for _, st := range pw.Stages {
					want := valueAt(counts[st.ID], per)
					if !sameValue(st.Value, want) {
						t.Errorf("%s %s: value %v, want the series' %v", per, st.ID, deref(st.Value), deref(want))
					}
				}
				for _, cv := range pw.Conversions {
					num, den := valueAt(counts[cv.To], per), valueAt(counts[cv.From], per)
					if num == nil || den == nil || *den == 0 {
						if cv.PerHundred != nil {
							t.Errorf("%s %s->%s: %v per 100 with no ratio to take", per, cv.From, cv.To, *cv.PerHundred)
						}
						if cv.NoValue == "" || cv.Change != nil || cv.NoChange == "" {
							t.Errorf("%s %s->%s: no figure, but no reason (%+v)", per, cv.From, cv.To, cv)
						}
						continue
					}
					want := *num / *den * 100
					if cv.PerHundred == nil || *cv.PerHundred != want {
						t.Errorf("%s %s->%s: per_100 %v, want %v / %v × 100 = %v", per, cv.From, cv.To, deref(cv.PerHundred), *num, *den, want)
					}
					checked++
					// The change on the year is the difference of two such
					// ratios, unless a break, a symbol or a gap lies between.
					pn, pd := valueAt(counts[cv.To], per.Prev()), valueAt(counts[cv.From], per.Prev())
					_, brk := cv.Series.Definition.BreakBefore(per)
					if pn != nil && pd != nil && *pd != 0 && !brk && per != latest.Periods[0] {
						wantChange := want - *pn / *pd * 100
						if cv.Change == nil || math.Abs(*cv.Change-wantChange) > 1e-9 {
							t.Errorf("%s %s->%s: change %v, want %v", per, cv.From, cv.To, deref(cv.Change), wantChange)
						}
					} else if cv.Change != nil && (brk || pn == nil || pd == nil) {
						t.Errorf("%s %s->%s: change %v across a break or a gap", per, cv.From, cv.To, *cv.Change)
					}
					if cv.Change == nil && cv.NoChange == "" {
						t.Errorf("%s %s->%s: no change and no reason", per, cv.From, cv.To)
					}
				}
			}
			if checked < 10 {
				t.Errorf("only %d conversions checked", checked)
			}
		})
	}
}

// TestPathway_FileCells checks the latest year's counts against the 2025
// release's cells for each authority, read with encoding/csv.
func TestPathway_FileCells(t *testing.T) {
	r := sharedReader(t)
	ctx := context.Background()
	cells := map[string][2]string{ // stage -> file, column
		"referrals":       {"c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv", "referral_count"},
		"s47_enquiries":   {"c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv", "Section47"},
		"icpcs":           {"c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv", "ICPC"},
		"cpp_started":     {"d3_cpps_subsequent_plan_2013_to_2025.csv", "CPP_start"},
		"cpp_at_31_march": {"d5_cpps_at31march_by_duration_2013_to_2025.csv", "CPP_At31"},
	}
	for _, code := range pathwayAreas[1:] {
		geo, _ := r.Geography(ctx, code)
		pw, err := r.Pathway(ctx, geo, indicators.PeriodOf(2025))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]float64{}
		for _, st := range pw.Stages {
			c := cells[st.ID]
			cell := fileCell(t, c[0], c[1], code, "2025")
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				t.Fatalf("%s %s: cell %q", geo.Name, st.ID, cell)
			}
			want[st.ID] = v
			if st.Value == nil || *st.Value != v {
				t.Errorf("%s %s: %v, want the file's %v", geo.Name, st.ID, deref(st.Value), v)
			}
		}
		for _, cv := range pw.Conversions {
			if w := want[cv.To] / want[cv.From] * 100; cv.PerHundred == nil || *cv.PerHundred != w {
				t.Errorf("%s %s->%s: %v, want %v from the file", geo.Name, cv.From, cv.To, deref(cv.PerHundred), w)
			}
		}
	}
}

// TestPathway_Over100 finds authority-years with more conferences than
// enquiries in the 2025 file, and checks the conversion is shown as it
// is, over 100, with the caveat.
func TestPathway_Over100(t *testing.T) {
	r := sharedReader(t)
	ctx := context.Background()
	rows := readCSV(t, "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv")
	head := rows[0]
	col := func(name string) int {
		for i, h := range head {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	level, code, year, s47, icpc := col("geographic_level"), col("new_la_code"), col("time_period"), col("Section47"), col("ICPC")
	found := 0
	for _, row := range rows[1:] {
		e, err1 := strconv.ParseFloat(row[s47], 64)
		c, err2 := strconv.ParseFloat(row[icpc], 64)
		if row[level] != "Local authority" || err1 != nil || err2 != nil || c <= e {
			continue
		}
		found++
		y, _ := strconv.Atoi(row[year])
		per := indicators.PeriodOf(y)
		geo, err := r.Geography(ctx, r.Current(row[code]))
		if err != nil {
			t.Fatal(err)
		}
		pw, err := r.Pathway(ctx, geo, per)
		if err != nil {
			t.Fatalf("%s %s: %v", geo.Name, per, err)
		}
		cv := pw.Conversions[1]
		if cv.From != "s47_enquiries" || cv.To != "icpcs" {
			t.Fatalf("conversion 2 is %s->%s", cv.From, cv.To)
		}
		if cv.PerHundred == nil || *cv.PerHundred != c/e*100 || *cv.PerHundred <= 100 {
			t.Errorf("%s %s: %v per 100, want %v (unclipped)", geo.Name, per, deref(cv.PerHundred), c/e*100)
		}
		if !cv.Over100 || !strings.Contains(cv.Caveat, "not capped") || !strings.Contains(cv.Caveat, "moves into the area") {
			t.Errorf("%s %s: over 100 without the caveat: %+v", geo.Name, per, cv)
		}
		if !strings.Contains(strings.Join(pw.Caveats, " "), cv.Caveat) {
			t.Errorf("%s %s: caveat not among the page's", geo.Name, per)
		}
	}
	if found == 0 {
		t.Fatal("no authority-year with more conferences than enquiries in the file")
	}
	t.Logf("%d authority-years over 100 conferences per 100 enquiries", found)
}

func TestPathway_Gaps(t *testing.T) {
	r := sharedReader(t)
	ctx := context.Background()
	t.Run("NoReturn", func(t *testing.T) { // Hackney made no return for 2020/21 or 2021/22
		geo, _ := r.Geography(ctx, "E09000012")
		pw, err := r.Pathway(ctx, geo, indicators.PeriodOf(2021))
		if err != nil {
			t.Fatal(err)
		}
		for _, cv := range pw.Conversions {
			if cv.PerHundred != nil || cv.NoValue == "" {
				t.Errorf("%s->%s: %v, want no figure with a reason", cv.From, cv.To, deref(cv.PerHundred))
			}
		}
		pw, err = r.Pathway(ctx, geo, indicators.PeriodOf(2023))
		if err != nil {
			t.Fatal(err)
		}
		for _, cv := range pw.Conversions {
			if cv.PerHundred == nil || cv.Change != nil || cv.NoChange == "" {
				t.Errorf("2022/23 %s->%s: %v, change %v (%q): want a figure, no change, a reason", cv.From, cv.To, deref(cv.PerHundred), deref(cv.Change), cv.NoChange)
			}
		}
	})
	t.Run("BoundaryChange", func(t *testing.T) { // Cumberland from 2023/24; Cumbria's figures before, behind a break
		geo, _ := r.Geography(ctx, "E06000063")
		pw, err := r.Pathway(ctx, geo, indicators.PeriodOf(2024))
		if err != nil {
			t.Fatal(err)
		}
		for _, cv := range pw.Conversions {
			if cv.PerHundred == nil || cv.Change != nil || cv.NoChange != indicators.NoChangeBreak {
				t.Errorf("2023/24 %s->%s: %v, change %v (%q): want a figure, no change across the break", cv.From, cv.To, deref(cv.PerHundred), deref(cv.Change), cv.NoChange)
			}
		}
	})
	t.Run("BadPeriod", func(t *testing.T) {
		_, err := r.Pathway(ctx, indicators.England, indicators.PeriodOf(2031))
		var e *indicators.Error
		if !errors.As(err, &e) || e.Code != indicators.EINVALID {
			t.Errorf("2030/31: %v, want EINVALID", err)
		}
	})
	t.Run("Comparators", func(t *testing.T) {
		geo, _ := r.Geography(ctx, "E10000014")
		pw, err := r.Pathway(ctx, geo, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range pw.Stages {
			c := st.Compare
			if c.England == nil || c.Region == nil || c.Region.Value == nil || c.Neighbours == nil || c.Neighbours.Mean == nil {
				t.Errorf("%s: comparators missing: %+v", st.ID, c)
				continue
			}
			if *c.Neighbours.Min > *c.Neighbours.Mean || *c.Neighbours.Mean > *c.Neighbours.Max || c.Neighbours.Of == 0 {
				t.Errorf("%s: neighbours %+v", st.ID, *c.Neighbours)
			}
		}
		if !strings.HasPrefix(pw.NeighbourSet, "Statistical neighbours: ") {
			t.Errorf("neighbour set %q", pw.NeighbourSet)
		}
	})
}

func valueAt(s indicators.Series, per indicators.Period) *float64 {
	for _, p := range s.Points {
		if p.Period == per {
			return p.Value
		}
	}
	return nil
}

func sameValue(a, b *float64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func readCSV(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "indicators", "data", "2025", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := csv.NewReader(f)
	var rows [][]string
	for {
		row, err := rd.Read()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 && len(row) > 0 {
			row[0] = strings.TrimPrefix(row[0], "\ufeff")
		}
		rows = append(rows, row)
	}
}

// fileCell is the cell of a column for an authority and year.
func fileCell(t *testing.T, file, column, code, year string) string {
	t.Helper()
	rows := readCSV(t, file)
	idx := map[string]int{}
	for i, h := range rows[0] {
		idx[h] = i
	}
	for _, row := range rows[1:] {
		if row[idx["new_la_code"]] == code && row[idx["time_period"]] == year && row[idx["geographic_level"]] == "Local authority" {
			return row[idx[column]]
		}
	}
	t.Fatalf("%s: no row for %s in %s", file, code, year)
	return ""
}

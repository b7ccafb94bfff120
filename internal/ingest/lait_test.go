package ingest_test

import (
	"bytes"
	"encoding/csv"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"testing"

	"cptrends/indicators"
	"cptrends/internal/ingest"
)

const (
	laitFile = "2025/lait_cpp_ceased_2016_to_2025.csv"
	d3File   = "2025/d3_cpps_subsequent_plan_2013_to_2025.csv"
	c4File   = "2025/c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"
)

func bundledInput(t *testing.T, name string) ingest.Input {
	t.Helper()
	b, err := fs.ReadFile(indicators.Bundled(), name)
	if err != nil {
		t.Fatal(err)
	}
	return ingest.Input{Name: name, R: bytes.NewReader(b)}
}

// laitRows reads the LAIT file with encoding/csv alone, as the test's own
// account of what it says.
func laitRows(t *testing.T) []map[string]string {
	t.Helper()
	b, err := fs.ReadFile(indicators.Bundled(), laitFile)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func TestReadLAIT_Bundled(t *testing.T) {
	// d3 after c4, which gives Gateshead and Northumberland their old
	// codes to 2018/19: the code in use wins, whatever the order.
	res := ingest.Read(indicators.Default(), ingest.Options{}, bundledInput(t, d3File), bundledInput(t, c4File), bundledInput(t, laitFile))
	if !res.OK() {
		t.Fatalf("problems:%s", problemsString(res.Problems))
	}
	byKey := map[string]indicators.Observation{}
	for _, o := range res.Observations {
		if o.Indicator != "cpp_ended_2yrs_plus" && o.Indicator != "cpp_ended_2yrs_plus_pct" {
			continue
		}
		if o.Geography.Code == indicators.EnglandCode {
			t.Errorf("%s: England read from LAIT; the national file carries England", describeObs(o))
		}
		if !strings.HasPrefix(o.Note, ingest.LAITNote) {
			t.Errorf("%s: note %q does not say it comes from the LAIT compilation", describeObs(o), o.Note)
		}
		byKey[o.Indicator+" "+o.Geography.Code+" "+o.Period.String()] = o
	}

	t.Run("Cells", func(t *testing.T) {
		ids := map[string]string{"CPPlans2yrs": "cpp_ended_2yrs_plus_pct", "CPRDuration": "cpp_ended_2yrs_plus"}
		// An authority's ONS code in a year, from the d3 file read alone.
		codes := map[string]string{}
		d3, _ := fs.ReadFile(indicators.Bundled(), d3File)
		recs, _ := csv.NewReader(bytes.NewReader(d3)).ReadAll()
		for _, r := range recs[1:] {
			if r[2] == "Local authority" {
				codes[r[7]+" "+r[0]] = r[8]
			}
		}
		noisy, symbols, compared := 0, 0, 0
		for _, r := range laitRows(t) {
			id, ok := ids[r["Short Desc"]]
			if !ok || r["LA Number"] == "970" || r["Region"] == "NA" {
				continue
			}
			code, ok := codes[r["LA Number"]+" "+r["Years"]]
			if !ok {
				continue // before the authority was created, or after it went
			}
			end, _ := strconv.Atoi(r["Years"])
			key := id + " " + code + " " + indicators.PeriodOf(end).String()
			o, ok := byKey[key]
			if !ok {
				t.Errorf("%s (LAIT %s %s): not read", key, r["LA and Regions"], r["Values"])
				continue
			}
			compared++
			if r["Values"] == "-" {
				symbols++
				if o.Symbol != "x" || o.Value != nil || !strings.Contains(o.Note, ingest.LAITSymbolNote) {
					t.Errorf("%s: LAIT \"-\" read as %s, note %q; want x, saying LAIT does not say which symbol", key, describeObs(o), o.Note)
				}
				continue
			}
			v, err := strconv.ParseFloat(r["Values"], 64)
			if err != nil {
				t.Fatalf("%s: %q", key, r["Values"])
			}
			want := math.Round(v*10) / 10
			if id == "cpp_ended_2yrs_plus" {
				want = math.Round(v)
			}
			if i := strings.IndexByte(r["Values"], '.'); i >= 0 && len(r["Values"])-i-1 > 1 {
				noisy++ // 4.4000000000000004 must read as 4.4
			}
			if o.Value == nil || *o.Value != want {
				t.Errorf("%s: read as %s; the cell says %s (%v as published)", key, describeObs(o), r["Values"], want)
			}
		}
		if compared < 2800 || symbols == 0 || noisy == 0 {
			t.Errorf("compared %d cells (%d symbols, %d with floating-point noise); the file has about 3,000 authority cells of both kinds", compared, symbols, noisy)
		}
	})

	t.Run("Codes", func(t *testing.T) {
		for key, want := range map[string]string{
			"cpp_ended_2yrs_plus_pct E09000012 2015/16": "6.2",     // Hackney, 204
			"cpp_ended_2yrs_plus E10000023 2022/23":     "13",      // North Yorkshire, 815, county code to 2022/23
			"cpp_ended_2yrs_plus E06000065 2024/25":     "10",      // and its unitary code after
			"cpp_ended_2yrs_plus E10000002 2019/20":     "29",      // Buckinghamshire, 825, before 2020
			"cpp_ended_2yrs_plus E06000060 2024/25":     "48",      // and after
			"cpp_ended_2yrs_plus E06000063 2024/25":     "6",       // Cumberland, 942
			"cpp_ended_2yrs_plus E06000062 2024/25":     "11",      // West Northamptonshire, 941
			"cpp_ended_2yrs_plus E13000001 2024/25":     "",        // Inner London, LAIT's 987: a region
			"cpp_ended_2yrs_plus E12000003 2024/25":     "",        // Yorkshire and the Humber, 982
			"cpp_ended_2yrs_plus E06000063 2015/16":     "missing", // Cumberland did not exist
			"cpp_ended_2yrs_plus E08000037 2015/16":     "10",      // Gateshead, 390: c4's old code E08000020 is not used
		} {
			o, ok := byKey[key]
			switch {
			case want == "missing":
				if ok {
					t.Errorf("%s = %s; want nothing: LAIT's \"-\" for a year before the authority existed is no figure", key, describeObs(o))
				}
			case !ok:
				t.Errorf("%s: not read", key)
			case want == "":
				if o.Value == nil || o.Geography.Level != indicators.LevelRegional {
					t.Errorf("%s = %s, level %q; want a regional value", key, describeObs(o), o.Geography.Level)
				}
			case o.Value == nil || strconv.FormatFloat(*o.Value, 'f', -1, 64) != want:
				t.Errorf("%s = %s; want %s", key, describeObs(o), want)
			}
		}
	})

	t.Run("Ignored", func(t *testing.T) {
		got := strings.Join(res.Ignored[laitFile], "; ")
		for _, want := range []string{`Short Desc "DeRegCPR"`, "England's rows"} {
			if !strings.Contains(got, want) {
				t.Errorf("ignored = %q; want it to list %s", got, want)
			}
		}
	})
}

// A LAIT file alone is read with the codes known before the upload.
func TestReadLAIT_KnownCodes(t *testing.T) {
	file := "Short Desc,Data item,Years,LA and Regions,Values,LA Number,Region\n" +
		"CPRDuration,Duration on the child protection register,2024,Hackney,11,204,Inner London\n" +
		"CPRDuration,,2025,North Yorkshire,10,815,Yorkshire and The Humber\n" +
		"CPRDuration,,2023,North Yorkshire,13.000000000000002,815,Yorkshire and The Humber\n" +
		"CPPlans2yrs,Child Protection Plans lasting 2 years or more,2024,Hackney,5.0999999999999996,204,Inner London\n"
	codes := []indicators.LACode{
		{New: "E09000012", Old: "204", Name: "Hackney", LastPeriod: indicators.PeriodOf(2025)},
		{New: "E10000023", Old: "815", Name: "North Yorkshire", LastPeriod: indicators.PeriodOf(2023)},
		{New: "E06000065", Old: "815", Name: "North Yorkshire", LastPeriod: indicators.PeriodOf(2025)},
	}
	if res := readBytes("lait.csv", []byte(file), ingest.Options{}); res.OK() || !strings.Contains(problemsString(res.Problems), "lait.csv:2:LA Number:") {
		t.Errorf("with no codes known: problems%s; want lait.csv:2:LA Number refused", problemsString(res.Problems))
	}
	res := readBytes("lait.csv", []byte(file), ingest.Options{LACodes: codes})
	if !res.OK() {
		t.Fatalf("problems:%s", problemsString(res.Problems))
	}
	var got []string
	for _, o := range res.Observations {
		got = append(got, describeObs(o))
	}
	want := []string{"cpp_ended_2yrs_plus E09000012 2023/24 11", "cpp_ended_2yrs_plus E06000065 2024/25 10", "cpp_ended_2yrs_plus E10000023 2022/23 13", "cpp_ended_2yrs_plus_pct E09000012 2023/24 5.1"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("read\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestReadLAIT_Invalid(t *testing.T) {
	const header = "Short Desc,Data item,Years,LA and Regions,Values,LA Number,Region\n"
	tests := []struct {
		name, body string
		want       []wantProblem
	}{
		{"Year", "CPPlans2yrs,,16,Hackney,6.2,204,Inner London\n", []wantProblem{{2, "Years", `"16" is not a year`}}},
		{"Value", "CPPlans2yrs,,2016,Hackney,six,204,Inner London\n", []wantProblem{{2, "Values", "not a number"}}},
		{"NotNoise", "CPPlans2yrs,,2016,Hackney,6.25,204,Inner London\n", []wantProblem{{2, "Values", "more decimal places"}}},
		{"CountNotWhole", "CPRDuration,,2016,Hackney,6.5,204,Inner London\n", []wantProblem{{2, "Values", "more decimal places"}}},
		{"Percent", "CPPlans2yrs,,2016,Hackney,106.2,204,Inner London\n", []wantProblem{{2, "Values", "over 100"}}},
		{"Number", "CPPlans2yrs,,2016,Hackney,6.2,20,Inner London\n", []wantProblem{{2, "LA Number", "three-digit"}}},
		{"UnknownNumber", "CPPlans2yrs,,2016,Nowhere,6.2,999,Inner London\n", []wantProblem{{2, "LA Number", "999"}}},
		{"RegionName", "CPPlans2yrs,,2016,South West,6.2,980,NA\n", []wantProblem{{2, "LA and Regions", "North East"}}},
		{"Conflict", "CPPlans2yrs,,2016,Hackney,6.2,204,Inner London\nCPPlans2yrs,,2016,Hackney,6.3,204,Inner London\n", []wantProblem{{3, "Values", "conflicts"}}},
		{"Ragged", "CPPlans2yrs,,2016,Hackney,6.2,204\n", []wantProblem{{2, ingest.NoColumn, "number of fields"}}},
		{"MissingColumn", "", []wantProblem{{1, ingest.NoColumn, `"values" is missing`}}},
	}
	codes := []indicators.LACode{{New: "E09000012", Old: "204", Name: "Hackney", LastPeriod: indicators.PeriodOf(2025)}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := header + tt.body + "CPPlans2yrs,,2017,Hackney,5.1,204,Inner London\n"
			if tt.name == "MissingColumn" {
				body = "Short Desc,Years,LA and Regions,LA Number\nCPPlans2yrs,2016,Hackney,204\n"
			}
			res := readBytes("lait.csv", []byte(body), ingest.Options{LACodes: codes})
			if res.OK() || len(res.Observations) != 0 {
				t.Fatalf("accepted, %d observations; want refused with nothing to store", len(res.Observations))
			}
			checkProblems(t, res, "lait.csv", tt.want)
		})
	}
}

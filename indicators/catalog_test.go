package indicators_test

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"cptrends/indicators"
)

func TestDefault(t *testing.T) {
	cat := indicators.Default()

	t.Run("Ids", func(t *testing.T) {
		// CONTRACT.md's table: id, unit, overview figure, axis.
		want := []struct {
			id     string
			unit   string
			figure int
			axis   string
		}{
			{"referrals", "count", 1, ""},
			{"children_referred", "count", 0, ""},
			{"cpp_started", "count", 2, ""},
			{"cpp_at_31_march", "count", 0, ""},
			{"cpp_ended_2yrs_plus", "count", 3, "left"},
			{"cpp_ended_2yrs_plus_pct", "percent", 3, "right"},
			{"cpp_at_31_march_2yrs_plus_pct", "percent", 0, ""},
			{"cpp_second_or_subsequent", "count", 0, ""},
			{"cpp_second_or_subsequent_pct", "percent", 4, ""},
			// Added for comparing areas: more may be added, ids never change.
			{"referrals_rate", "rate", 0, ""},
			{"children_referred_rate", "rate", 0, ""},
			{"population_0_17", "count", 0, ""},
			// The second round's ids (CONTRACT.md, "More indicator ids").
			{"rereferrals", "count", 0, ""},
			{"rereferrals_pct", "percent", 0, ""},
			{"referrals_nfa_pct", "percent", 0, ""},
			{"s47_enquiries", "count", 0, ""},
			{"s47_enquiries_rate", "rate", 0, ""},
			{"icpcs", "count", 0, ""},
			{"icpcs_rate", "rate", 0, ""},
			{"icpc_within_15_days_pct", "percent", 0, ""},
			{"cpp_started_rate", "rate", 0, ""},
			{"cpp_at_31_march_rate", "rate", 0, ""},
			{"children_in_need_at_31_march", "count", 0, ""},
			{"children_in_need_rate", "rate", 0, ""},
		}
		// More may be added (issue 12's measures): the promised ids must
		// all be there, and every other definition must be off the
		// overview, whose four figures are fixed.
		if got, want := len(cat.All()), len(want); got < want {
			var ids []string
			for _, d := range cat.All() {
				ids = append(ids, d.ID)
			}
			t.Errorf("len(All()) = %d, want %d: %v", got, want, ids)
		}
		for _, w := range want {
			t.Run(w.id, func(t *testing.T) {
				d, ok := cat.Lookup(w.id)
				if !ok {
					t.Fatalf("Lookup(%q): not found", w.id)
				}
				if got, want := d.ID, w.id; got != want {
					t.Errorf("ID = %q, want %q", got, want)
				}
				if got, want := d.Unit, w.unit; got != want {
					t.Errorf("Unit = %q, want %q", got, want)
				}
				if got, want := d.IsPercent(), w.unit == indicators.UnitPercent; got != want {
					t.Errorf("IsPercent() = %v, want %v", got, want)
				}
				if got, want := d.Chart.Figure, w.figure; got != want {
					t.Errorf("Chart.Figure = %d, want %d", got, want)
				}
				if w.axis != "" {
					if got, want := d.Chart.Axis, w.axis; got != want {
						t.Errorf("Chart.Axis = %q, want %q", got, want)
					}
				}
				if d.Source.Name == "" || d.Title == "" || d.Definition == "" {
					t.Errorf("title, definition and source must be set")
				}
			})
		}
	})

	t.Run("LookupUnknown", func(t *testing.T) {
		if d, ok := cat.Lookup("referals"); ok {
			t.Errorf("Lookup(%q) = %v, want not found", "referals", d.ID)
		}
	})

	t.Run("Figures", func(t *testing.T) {
		figs := cat.Figures()
		want := []struct {
			number int
			ids    []string
		}{
			{1, []string{"referrals"}},
			{2, []string{"cpp_started"}},
			{3, []string{"cpp_ended_2yrs_plus", "cpp_ended_2yrs_plus_pct"}}, // left axis first
			{4, []string{"cpp_second_or_subsequent_pct"}},
		}
		if got, want := len(figs), len(want); got != want {
			t.Fatalf("len(Figures()) = %d, want %d", got, want)
		}
		for i, w := range want {
			if got, want := figs[i].Number, w.number; got != want {
				t.Errorf("figure %d: Number = %d, want %d", i, got, want)
			}
			var ids []string
			for _, d := range figs[i].Definitions {
				ids = append(ids, d.ID)
			}
			if !equalStrings(ids, w.ids) {
				t.Errorf("figure %d: definitions %v, want %v", w.number, ids, w.ids)
			}
		}
	})

	t.Run("OverviewFirst", func(t *testing.T) {
		all := cat.All()
		if got, want := all[0].ID, "referrals"; got != want {
			t.Errorf("All()[0] = %q, want %q", got, want)
		}
		seenOff := false
		for _, d := range all {
			if d.Chart.Figure == 0 {
				seenOff = true
			} else if seenOff {
				t.Errorf("%s (figure %d) comes after an indicator not on the overview", d.ID, d.Chart.Figure)
			}
		}
	})
}

// validDefinition is a definition that LoadCatalog accepts, as a map to
// change one field at a time.
func validDefinition(id string) map[string]any {
	return map[string]any{
		"id":          id,
		"title":       "Assessments completed",
		"short_title": "Assessments",
		"noun":        "assessments",
		"unit":        "count",
		"decimals":    0,
		"definition":  "Assessments completed in the year ending 31 March.",
		"source":      map[string]any{"name": "Department for Education", "url": "https://example.org"},
		"footnotes":   []string{},
		"breaks":      []any{map[string]any{"period": "2013/14", "explanation": "Recording changed."}},
		"notes":       []any{map[string]any{"period": "2020/21", "text": "COVID-19."}},
		"chart":       map[string]any{"type": "bar"},
		"ees":         []any{map[string]any{"column": "Assessments"}},
	}
}

func mustJSON(t *testing.T, v any) *fstest.MapFile {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return &fstest.MapFile{Data: b}
}

func TestLoadCatalog(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		cat, err := indicators.LoadCatalog(fstest.MapFS{"assessments.json": mustJSON(t, validDefinition("assessments"))})
		if err != nil {
			t.Fatalf("LoadCatalog: %v", err)
		}
		d, ok := cat.Lookup("assessments")
		if !ok {
			t.Fatalf("Lookup(assessments): not found")
		}
		if got, want := d.Noun, "assessments"; got != want {
			t.Errorf("Noun = %q, want %q", got, want)
		}
		if b, ok := d.BreakBefore(indicators.PeriodOf(2014)); !ok || b.Explanation != "Recording changed." {
			t.Errorf("BreakBefore(2013/14) = %v, %v; want the declared break", b, ok)
		}
		if got, want := d.NotesFor(indicators.PeriodOf(2021), indicators.EnglandCode), []string{"COVID-19."}; !equalStrings(got, want) {
			t.Errorf("NotesFor(2020/21) = %q, want %q", got, want)
		}
	})

	t.Run("NewFileAddsIndicator", func(t *testing.T) {
		// Every shipped definition plus one new file: no code change needed.
		fsys := fstest.MapFS{}
		for _, d := range indicators.Default().All() {
			fsys[d.ID+".json"] = mustJSON(t, d)
		}
		fsys["assessments.json"] = mustJSON(t, validDefinition("assessments"))
		cat, err := indicators.LoadCatalog(fsys)
		if err != nil {
			t.Fatalf("LoadCatalog: %v", err)
		}
		if got, want := len(cat.All()), len(indicators.Default().All())+1; got != want {
			t.Errorf("len(All()) = %d, want %d", got, want)
		}
		if _, ok := cat.Lookup("assessments"); !ok {
			t.Errorf("Lookup(assessments): not found")
		}
		if got, want := len(cat.Figures()), 4; got != want {
			t.Errorf("len(Figures()) = %d, want %d", got, want)
		}
		// Off the overview, it sorts among the others by id.
		var off []string
		for _, d := range cat.All() {
			if d.Chart.Figure == 0 {
				off = append(off, d.ID)
			}
		}
		want := []string{"assessments"}
		for _, d := range indicators.Default().All() {
			if d.Chart.Figure == 0 {
				want = append(want, d.ID)
			}
		}
		sort.Strings(want)
		if !equalStrings(off, want) {
			t.Errorf("indicators off the overview = %v, want %v", off, want)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		tests := []struct {
			name    string
			file    string
			change  func(d map[string]any)
			raw     string // used instead of the definition when set
			wantErr string // a part of the error message
		}{
			{name: "unknown field", file: "assessments.json", change: func(d map[string]any) { d["colour"] = "red" }, wantErr: "colour"},
			{name: "id does not match file name", file: "assessments.json", change: func(d map[string]any) { d["id"] = "assessment" }, wantErr: "file name"},
			{name: "bad unit", file: "assessments.json", change: func(d map[string]any) { d["unit"] = "ratio" }, wantErr: "unit"},
			{name: "break with no explanation", file: "assessments.json", change: func(d map[string]any) {
				d["breaks"] = []any{map[string]any{"period": "2013/14"}}
			}, wantErr: "break"},
			{name: "break with bad period", file: "assessments.json", change: func(d map[string]any) {
				d["breaks"] = []any{map[string]any{"period": "2013/15", "explanation": "x"}}
			}, wantErr: "2013/15"},
			{name: "note with no text", file: "assessments.json", change: func(d map[string]any) {
				d["notes"] = []any{map[string]any{"period": "2013/14"}}
			}, wantErr: "note"},
			{name: "count with no noun", file: "assessments.json", change: func(d map[string]any) { delete(d, "noun") }, wantErr: "noun"},
			{name: "no title", file: "assessments.json", change: func(d map[string]any) { delete(d, "title") }, wantErr: "title"},
			{name: "no source", file: "assessments.json", change: func(d map[string]any) { d["source"] = map[string]any{} }, wantErr: "source"},
			{name: "bad chart type", file: "assessments.json", change: func(d map[string]any) { d["chart"] = map[string]any{"type": "pie"} }, wantErr: "chart"},
			{name: "figure 5", file: "assessments.json", change: func(d map[string]any) { d["chart"] = map[string]any{"type": "bar", "figure": 5} }, wantErr: "figure"},
			{name: "bad axis", file: "assessments.json", change: func(d map[string]any) { d["chart"] = map[string]any{"type": "bar", "axis": "top"} }, wantErr: "axis"},
			{name: "decimals", file: "assessments.json", change: func(d map[string]any) { d["decimals"] = 7 }, wantErr: "decimals"},
			{name: "id in capitals", file: "Assessments.json", change: func(d map[string]any) { d["id"] = "Assessments" }, wantErr: "id"},
			{name: "empty EES column", file: "assessments.json", change: func(d map[string]any) { d["ees"] = []any{map[string]any{"column": ""}} }, wantErr: "EES"},
			{name: "trailing data", file: "assessments.json", raw: "{}{}", wantErr: "assessments.json"},
			{name: "not JSON", file: "assessments.json", raw: "id: assessments", wantErr: "assessments.json"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var f *fstest.MapFile
				if tt.raw != "" {
					f = &fstest.MapFile{Data: []byte(tt.raw)}
				} else {
					d := validDefinition("assessments")
					tt.change(d)
					f = mustJSON(t, d)
				}
				// Beside a good file, so that the bad one alone is to blame.
				fsys := fstest.MapFS{tt.file: f, "referrals.json": mustJSON(t, mustLookup(t, "referrals"))}
				cat, err := indicators.LoadCatalog(fsys)
				if err == nil {
					t.Fatalf("LoadCatalog = %d definitions, want an error", len(cat.All()))
				}
				if cat != nil {
					t.Errorf("LoadCatalog returned a catalog with its error")
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not mention %q", err, tt.wantErr)
				}
			})
		}
	})

	t.Run("Empty", func(t *testing.T) {
		if _, err := indicators.LoadCatalog(fstest.MapFS{"README.md": &fstest.MapFile{Data: []byte("#")}}); err == nil {
			t.Errorf("LoadCatalog of a folder with no definitions: want an error")
		}
	})
}

package ingest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cptrends/indicators"
	"cptrends/internal/ingest"
)

// nativeDir holds the shared fixtures of the native format.
const nativeDir = "../../testdata/native"

// mustReadFile reads a fixture.
func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readFixtures reads fixtures (paths under testdata/native) as one upload,
// each named by its base name.
func readFixtures(t *testing.T, opts ingest.Options, paths ...string) *ingest.Result {
	t.Helper()
	var inputs []ingest.Input
	for _, p := range paths {
		b := mustReadFile(t, filepath.Join(nativeDir, p))
		inputs = append(inputs, ingest.Input{Name: filepath.Base(p), R: bytes.NewReader(b)})
	}
	return ingest.Read(indicators.Default(), opts, inputs...)
}

// readBytes reads one in-memory file.
func readBytes(name string, data []byte, opts ingest.Options) *ingest.Result {
	return ingest.Read(indicators.Default(), opts, ingest.Input{Name: name, R: bytes.NewReader(data)})
}

// describeObs writes an observation as "indicator code period value|symbol".
func describeObs(o indicators.Observation) string {
	v := "symbol " + string(o.Symbol)
	if o.Value != nil {
		v = fmt.Sprint(*o.Value)
	}
	return fmt.Sprintf("%s %s %s %s", o.Indicator, o.Geography.Code, o.Period, v)
}

func problemsString(ps []ingest.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("\n\t" + p.Error())
	}
	return b.String()
}

func TestRead_Valid(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"referrals_2012_to_2015.csv", []string{
			"referrals E92000001 2012/13 593470",
			"referrals E92000001 2013/14 657780",
			"referrals E92000001 2014/15 635620",
		}},
		{"bom.csv", []string{"referrals E92000001 2014/15 635620"}},
		{"crlf.csv", []string{
			"referrals E92000001 2013/14 657780",
			"referrals E92000001 2014/15 635620",
		}},
		{"quoted_thousands.csv", []string{
			"referrals E92000001 2013/14 657780",
			"referrals E92000001 2014/15 635620",
		}},
		{"column_order.csv", []string{
			"referrals E92000001 2014/15 635620",
			"cpp_started E92000001 2014/15 62210",
		}},
		{"header_capitals_spaces.csv", []string{"referrals E92000001 2014/15 635620"}},
		{"no_geography.csv", []string{
			"referrals E92000001 2014/15 635620",
			"cpp_second_or_subsequent_pct E92000001 2014/15 16.6",
		}},
		{"symbols.csv", []string{
			"referrals E92000001 2015/16 symbol c",
			"referrals E92000001 2016/17 symbol x",
			"referrals E92000001 2017/18 symbol z",
			"referrals E92000001 2018/19 symbol low",
			"referrals E92000001 2019/20 symbol u",
			"referrals E92000001 2020/21 symbol k",
			"referrals E92000001 2021/22 symbol ..",
			"referrals E92000001 2022/23 symbol :",
			"referrals E92000001 2023/24 symbol ~",
		}},
		{"duplicate_identical.csv", []string{"referrals E92000001 2014/15 635620"}},
		{"period_forms.csv", []string{
			"referrals E92000001 2012/13 593470",
			"referrals E92000001 2013/14 657780",
			"referrals E92000001 2014/15 635620",
		}},
		{"extra_columns.csv", []string{"referrals E92000001 2014/15 635620"}},
		// Excel's "CSV" often ends every line with empty, unnamed columns.
		{"spreadsheet_trailing_commas.csv", []string{
			"referrals E92000001 2013/14 657780",
			"referrals E92000001 2014/15 635620",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := readFixtures(t, ingest.Options{}, filepath.Join("valid", tt.file))
			if !res.OK() {
				t.Fatalf("OK() = false, want true; problems:%s", problemsString(res.Problems))
			}
			var got []string
			for _, o := range res.Observations {
				got = append(got, describeObs(o))
			}
			if g, w := strings.Join(got, "\n"), strings.Join(tt.want, "\n"); g != w {
				t.Errorf("observations:\n%s\nwant:\n%s", g, w)
			}
			for _, o := range res.Observations {
				if (o.Value == nil) == (o.Symbol == "") {
					t.Errorf("%s: want exactly one of value and symbol", describeObs(o))
				}
				if o.Symbol != "" && o.Value != nil {
					t.Errorf("%s: symbol %q has value %v; a symbol is never a number", describeObs(o), o.Symbol, *o.Value)
				}
			}
			if got, want := len(res.Files), 1; got != want {
				t.Fatalf("len(Files) = %d, want %d", got, want)
			}
			if got, want := res.Files[0].Name, tt.file; got != want {
				t.Errorf("Files[0].Name = %q, want %q", got, want)
			}
		})
	}

	t.Run("EnglandByDefault", func(t *testing.T) {
		res := readFixtures(t, ingest.Options{}, "valid/no_geography.csv")
		for _, o := range res.Observations {
			if got, want := o.Geography, indicators.England; got != want {
				t.Errorf("%s: geography %+v, want %+v", o.Indicator, got, want)
			}
		}
	})

	t.Run("EnglandByCode", func(t *testing.T) {
		// The England code alone names England, not "E92000001".
		res := readBytes("e.csv", []byte("indicator,period,geography_code,value\nreferrals,2014/15,E92000001,635620\n"), ingest.Options{})
		if !res.OK() || len(res.Observations) != 1 {
			t.Fatalf("OK() = %v, %d observations:%s", res.OK(), len(res.Observations), problemsString(res.Problems))
		}
		if got, want := res.Observations[0].Geography, indicators.England; got != want {
			t.Errorf("geography %+v, want %+v", got, want)
		}
	})

	t.Run("OtherAreas", func(t *testing.T) {
		data := []byte("indicator,period,geography_code,geography_name,value\n" +
			"referrals,2014/15,E12000007,London,90000\n" +
			"referrals,2014/15,E09000012,,1000\n")
		res := readBytes("a.csv", data, ingest.Options{})
		if !res.OK() || len(res.Observations) != 2 {
			t.Fatalf("OK() = %v, %d observations:%s", res.OK(), len(res.Observations), problemsString(res.Problems))
		}
		want := []indicators.Geography{
			{Code: "E12000007", Name: "London", Level: indicators.LevelRegional},
			{Code: "E09000012", Name: "E09000012", Level: indicators.LevelLocal},
		}
		for i, w := range want {
			if got := res.Observations[i].Geography; got != w {
				t.Errorf("row %d: geography %+v, want %+v", i+2, got, w)
			}
		}
	})

	t.Run("EverySymbolKnown", func(t *testing.T) {
		// symbols.csv must cover every symbol the domain knows.
		res := readFixtures(t, ingest.Options{}, "valid/symbols.csv")
		found := map[indicators.Symbol]bool{}
		for _, o := range res.Observations {
			found[o.Symbol] = true
		}
		for _, s := range indicators.Symbols() {
			if !found[s] {
				t.Errorf("symbol %q is not in symbols.csv, or was not kept", s)
			}
		}
	})

	t.Run("IgnoredColumns", func(t *testing.T) {
		res := readFixtures(t, ingest.Options{}, "valid/extra_columns.csv")
		if got, want := res.Ignored["extra_columns.csv"], []string{"comment", "source"}; strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("Ignored = %q, want %q", got, want)
		}
	})

	t.Run("Rows", func(t *testing.T) {
		res := readFixtures(t, ingest.Options{}, "valid/referrals_2012_to_2015.csv", "valid/duplicate_identical.csv")
		if got, want := len(res.Files), 2; got != want {
			t.Fatalf("len(Files) = %d, want %d", got, want)
		}
		if got, want := res.Files[0].Rows, 3; got != want {
			t.Errorf("Files[0].Rows = %d, want %d", got, want)
		}
		if got, want := res.Files[1].Rows, 2; got != want {
			t.Errorf("Files[1].Rows = %d, want %d", got, want)
		}
		// The repeat across files of 2014/15 is identical: kept once.
		if got, want := len(res.Observations), 3; got != want {
			t.Errorf("len(Observations) = %d, want %d", got, want)
		}
	})
}

// wantProblem is one expected problem: its line, column and a part of its
// message.
type wantProblem struct {
	line   int
	column string
	text   string
}

func checkProblems(t *testing.T, res *ingest.Result, file string, want []wantProblem) {
	t.Helper()
	if res.OK() {
		t.Fatalf("OK() = true, want false")
	}
	if got := len(res.Observations); got != 0 {
		t.Errorf("len(Observations) = %d, want 0: a refused upload yields nothing", got)
	}
	if got, want := len(res.Problems), len(want); got != want {
		t.Fatalf("got %d problems, want %d:%s", got, want, problemsString(res.Problems))
	}
	for i, w := range want {
		p := res.Problems[i]
		if got, want := p.File, file; got != want {
			t.Errorf("problem %d: File = %q, want %q", i, got, want)
		}
		if got, want := p.Line, w.line; got != want {
			t.Errorf("problem %d: Line = %d, want %d (%s)", i, got, want, p.Error())
		}
		if got, want := p.Column, w.column; got != want {
			t.Errorf("problem %d: Column = %q, want %q (%s)", i, got, want, p.Error())
		}
		if !strings.Contains(p.Message, w.text) {
			t.Errorf("problem %d: Message %q does not mention %q", i, p.Message, w.text)
		}
	}
}

func TestRead_Invalid(t *testing.T) {
	tests := []struct {
		file string
		want []wantProblem
	}{
		{"unknown_indicator.csv", []wantProblem{{2, "indicator", `unknown indicator "referals"`}}},
		{"bad_period.csv", []wantProblem{{2, "period", "2014/16"}}},
		{"short_geography_code.csv", []wantProblem{{2, "geography_code", `"E9200001" is not an ONS geography code`}}},
		{"negative_count.csv", []wantProblem{{2, "value", "negative"}}},
		{"fractional_count.csv", []wantProblem{{2, "value", "not a whole number"}}},
		{"percent_over_100.csv", []wantProblem{{2, "value", "over 100"}}},
		{"nan.csv", []wantProblem{{2, "value", `"NaN" is not a number`}}},
		{"inf.csv", []wantProblem{{2, "value", `"Inf" is not a number`}}},
		{"exponent.csv", []wantProblem{{2, "value", `"1e5" is not a number`}}},
		{"empty_value.csv", []wantProblem{{2, "value", "empty"}}},
		{"conflicting_duplicate.csv", []wantProblem{{4, "value", "conflicts with conflicting_duplicate.csv line 3"}}},
		{"long_note.csv", []wantProblem{{2, "note", "longer than 2000 characters"}}},
		// The quoted value spans lines 2 and 3; the next row is line 4.
		{"embedded_newline.csv", []wantProblem{{2, "value", "line break"}, {4, "period", "2014/16"}}},
		{"too_few_fields.csv", []wantProblem{{3, ingest.NoColumn, "number of fields"}}},
		{"missing_value_column.csv", []wantProblem{{1, "value", `required column "value" is missing`}}},
		{"header_only.csv", []wantProblem{{1, ingest.NoColumn, "no rows"}}},
		{"empty.csv", []wantProblem{{1, ingest.NoColumn, "empty"}}},
		{"excel_workbook.csv", []wantProblem{{1, ingest.NoColumn, "Excel"}}},
		{"nul_bytes.csv", []wantProblem{{1, ingest.NoColumn, "binary"}}},
		{"old_mac_line_endings.csv", []wantProblem{{1, ingest.NoColumn, "carriage return alone"}}},
		{"invalid_utf8.csv", []wantProblem{{2, "geography_name", "UTF-8"}}},
		// Three bad lines around a good one: all reported in one pass.
		{"three_bad_lines.csv", []wantProblem{
			{2, "period", "2014/16"},
			{4, "value", "negative"},
			{5, "indicator", "unknown indicator"},
		}},
		// CRLF line endings and a byte-order mark do not shift line numbers.
		{"bom_crlf_errors.csv", []wantProblem{
			{3, "value", `"x657780"`},
			{5, "value", "not a whole number"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := readFixtures(t, ingest.Options{}, filepath.Join("invalid", tt.file))
			checkProblems(t, res, tt.file, tt.want)
		})
	}

	t.Run("EveryFixtureRefused", func(t *testing.T) {
		// Each invalid fixture also refuses an upload it is part of.
		files, err := filepath.Glob(filepath.Join(nativeDir, "invalid", "*.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) < len(tests) {
			t.Fatalf("found %d invalid fixtures, want at least %d", len(files), len(tests))
		}
		for _, f := range files {
			rel, _ := filepath.Rel(nativeDir, f)
			res := readFixtures(t, ingest.Options{}, "valid/referrals_2012_to_2015.csv", rel)
			if res.OK() || len(res.Observations) != 0 {
				t.Errorf("%s with a valid file: OK() = %v, %d observations; want refused, none", rel, res.OK(), len(res.Observations))
			}
			for _, p := range res.Problems {
				if p.File != filepath.Base(f) {
					t.Errorf("%s: problem blames %s", rel, p.Error())
				}
			}
		}
	})

	t.Run("ConflictAcrossFiles", func(t *testing.T) {
		conflict := []byte("indicator,period,value\nreferrals,2014/15,635600\n")
		res := ingest.Read(indicators.Default(), ingest.Options{},
			ingest.Input{Name: "a.csv", R: bytes.NewReader(mustReadFile(t, filepath.Join(nativeDir, "valid/referrals_2012_to_2015.csv")))},
			ingest.Input{Name: "b.csv", R: bytes.NewReader(conflict)},
		)
		checkProblems(t, res, "b.csv", []wantProblem{{2, "value", "conflicts with a.csv line 4, which gives 635620"}})
	})

	t.Run("SymbolConflictsWithValue", func(t *testing.T) {
		data := []byte("indicator,period,value\nreferrals,2014/15,c\nreferrals,2014/15,635620\n")
		res := readBytes("s.csv", data, ingest.Options{})
		checkProblems(t, res, "s.csv", []wantProblem{{3, "value", `line 2, which gives the symbol "c"`}})
	})

	t.Run("SymbolsAreNotCaseInsensitive", func(t *testing.T) {
		// "C" is no published symbol; it must not pass as a number either.
		res := readBytes("s.csv", []byte("indicator,period,value\nreferrals,2014/15,C\n"), ingest.Options{})
		checkProblems(t, res, "s.csv", []wantProblem{{2, "value", "not a number"}})
	})

	t.Run("RepeatedColumn", func(t *testing.T) {
		res := readBytes("r.csv", []byte("indicator,period,value,Value\nreferrals,2014/15,1,2\n"), ingest.Options{})
		checkProblems(t, res, "r.csv", []wantProblem{{1, "value", "appears 2 times"}})
	})

	t.Run("BlankLinesCount", func(t *testing.T) {
		data := []byte("indicator,period,value\n\nreferrals,2013/14,657780\n\n\nreferrals,2014/16,635620\n")
		res := readBytes("b.csv", data, ingest.Options{})
		checkProblems(t, res, "b.csv", []wantProblem{{6, "period", "2014/16"}})
	})

	t.Run("NoteLength", func(t *testing.T) {
		long := strings.Repeat("é", indicators.MaxNoteLength) // characters, not bytes
		ok := readBytes("n.csv", []byte("indicator,period,value,note\nreferrals,2014/15,635620,"+long+"\n"), ingest.Options{})
		if !ok.OK() {
			t.Errorf("a note of exactly %d characters: OK() = false:%s", indicators.MaxNoteLength, problemsString(ok.Problems))
		}
		res := readBytes("n.csv", []byte("indicator,period,value,note\nreferrals,2014/15,635620,"+long+"e\n"), ingest.Options{})
		checkProblems(t, res, "n.csv", []wantProblem{{2, "note", "longer than 2000 characters"}})
	})

	t.Run("UnterminatedQuote", func(t *testing.T) {
		data := []byte("indicator,period,value\nreferrals,2013/14,657780\nreferrals,\"2014/15,635620\n")
		res := readBytes("q.csv", data, ingest.Options{})
		if res.OK() {
			t.Fatalf("OK() = true, want false")
		}
		for _, p := range res.Problems {
			if p.Line < 1 || p.Line > 3 {
				t.Errorf("problem at line %d, want a line of the file (1 to 3): %s", p.Line, p.Error())
			}
		}
	})
}

func TestRead_MaxFileSize(t *testing.T) {
	const file = "valid/referrals_2012_to_2015.csv"
	size := int64(len(mustReadFile(t, filepath.Join(nativeDir, file))))

	t.Run("AtLimit", func(t *testing.T) {
		res := readFixtures(t, ingest.Options{MaxFileSize: size}, file)
		if !res.OK() {
			t.Fatalf("a file of exactly MaxFileSize: OK() = false:%s", problemsString(res.Problems))
		}
		if got, want := len(res.Observations), 3; got != want {
			t.Errorf("len(Observations) = %d, want %d", got, want)
		}
	})

	t.Run("OverLimit", func(t *testing.T) {
		res := readFixtures(t, ingest.Options{MaxFileSize: size - 1}, file)
		checkProblems(t, res, filepath.Base(file), []wantProblem{{1, ingest.NoColumn, fmt.Sprintf("larger than the %d bytes limit", size-1)}})
	})

	t.Run("OverLimitPastFirstBlock", func(t *testing.T) {
		// Far larger than the first block read, so the limit is crossed
		// while the rows are being read: still one problem, on line 1.
		var b bytes.Buffer
		b.WriteString("indicator,period,geography_code,geography_name,value,note\n")
		for i := 0; b.Len() < 300<<10; i++ {
			fmt.Fprintf(&b, "referrals,%d/%02d,E%08d,Somewhere,%d,\n", 2014, 15, i%100000000, i)
		}
		res := readBytes("big.csv", b.Bytes(), ingest.Options{MaxFileSize: 200 << 10})
		checkProblems(t, res, "big.csv", []wantProblem{{1, ingest.NoColumn, "larger than the 200 KB limit"}})
	})

	t.Run("DefaultLimit", func(t *testing.T) {
		// A zero Options uses DefaultMaxFileSize. One long note keeps the
		// file quick to read.
		head := "indicator,period,value,note\nreferrals,2014/15,635620,"
		data := append([]byte(head), bytes.Repeat([]byte("n"), ingest.DefaultMaxFileSize-len(head)+1)...)
		res := readBytes("huge.csv", data, ingest.Options{})
		checkProblems(t, res, "huge.csv", []wantProblem{{1, ingest.NoColumn, "larger than the 50 MB limit"}})
	})
}

func TestProblem_Error(t *testing.T) {
	tests := []struct {
		name string
		p    ingest.Problem
		want string
	}{
		{"cell", ingest.Problem{File: "referrals.csv", Line: 4, Column: "value", Message: "the value is empty"}, "referrals.csv:4:value: the value is empty"},
		{"file", ingest.Problem{File: "book.xlsx", Line: 1, Column: ingest.NoColumn, Message: "this is not a CSV file"}, "book.xlsx:1:-: this is not a CSV file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := tt.p.Error(), tt.want; got != want {
				t.Errorf("Error() = %q, want %q", got, want)
			}
		})
	}

	t.Run("FromRead", func(t *testing.T) {
		res := readFixtures(t, ingest.Options{}, "invalid/three_bad_lines.csv")
		var got []string
		for _, p := range res.Problems {
			// FILE:LINE:COLUMN: message
			file, rest, _ := strings.Cut(p.Error(), ":")
			line, rest, _ := strings.Cut(rest, ":")
			column, msg, _ := strings.Cut(rest, ": ")
			got = append(got, file+"|"+line+"|"+column)
			if msg != p.Message {
				t.Errorf("message part %q, want %q", msg, p.Message)
			}
		}
		want := []string{"three_bad_lines.csv|2|period", "three_bad_lines.csv|4|value", "three_bad_lines.csv|5|indicator"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("Error() parts = %q, want %q", got, want)
		}
	})
}

func TestRead_Files(t *testing.T) {
	t.Run("Sha256sum", func(t *testing.T) {
		// From `sha256sum testdata/native/valid/referrals_2012_to_2015.csv`.
		res := readFixtures(t, ingest.Options{}, "valid/referrals_2012_to_2015.csv")
		if got, want := len(res.Files), 1; got != want {
			t.Fatalf("len(Files) = %d, want %d", got, want)
		}
		f := res.Files[0]
		if got, want := f.SHA256, "692c802ec1d89989dcbd1f2ce719d6d28a15dda21d378cfa97e0b31a001ffd6c"; got != want {
			t.Errorf("SHA256 = %s, want %s", got, want)
		}
		if got, want := f.Size, int64(190); got != want {
			t.Errorf("Size = %d, want %d", got, want)
		}
	})

	t.Run("EveryFixture", func(t *testing.T) {
		// The checksum covers the whole file, byte-order mark included, and
		// files refused early are still read to the end.
		files, err := filepath.Glob(filepath.Join(nativeDir, "*", "*.csv"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			rel, _ := filepath.Rel(nativeDir, path)
			t.Run(rel, func(t *testing.T) {
				data := mustReadFile(t, path)
				sum := sha256.Sum256(data)
				res := readFixtures(t, ingest.Options{}, rel)
				if got, want := len(res.Files), 1; got != want {
					t.Fatalf("len(Files) = %d, want %d", got, want)
				}
				f := res.Files[0]
				if got, want := f.SHA256, hex.EncodeToString(sum[:]); got != want {
					t.Errorf("SHA256 = %s, want %s", got, want)
				}
				if got, want := f.Size, int64(len(data)); got != want {
					t.Errorf("Size = %d, want %d", got, want)
				}
			})
		}
	})
}

package chart

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cptrends/indicators"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test -update and review the diff", name)
	}
}

func indent(t *testing.T, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	return append(buf.Bytes(), '\n')
}

func def(t *testing.T, id string) *indicators.Definition {
	t.Helper()
	d, ok := indicators.Default().Lookup(id)
	if !ok {
		t.Fatalf("no indicator %s", id)
	}
	return d
}

func num(v float64) *float64 { return &v }

func ob(id string, endYear int, v *float64, sym indicators.Symbol, note string) indicators.Observation {
	return indicators.Observation{Indicator: id, Geography: indicators.England, Period: indicators.Period(endYear), Value: v, Symbol: sym, Note: note}
}

// referrals across the 2012/13 break, with a secondary value, a
// suppressed year and a missing year.
func referralsSeries(t *testing.T) indicators.Series {
	d := def(t, "referrals")
	return indicators.NewSeries(d, indicators.England, []indicators.Observation{
		ob("referrals", 2011, num(600000), "", "Secondary source: example"),
		ob("referrals", 2013, num(593470), "", ""),
		ob("referrals", 2014, num(657780), "", ""),
		ob("referrals", 2015, num(635620), "", ""),
		ob("referrals", 2016, nil, "c", ""),
		ob("referrals", 2018, num(655630), "", ""),
	})
}

func TestBuild_Golden(t *testing.T) {
	t.Run("CountWithBreakSymbolAndGap", func(t *testing.T) {
		c, err := Build(Options{Labels: true, Description: "summary"}, referralsSeries(t))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "referrals.json", indent(t, c.Option))
	})
	t.Run("CountAndPercentOnTwoAxes", func(t *testing.T) {
		n := indicators.NewSeries(def(t, "cpp_ended_2yrs_plus"), indicators.England, []indicators.Observation{
			ob("cpp_ended_2yrs_plus", 2015, num(2250), "", ""), ob("cpp_ended_2yrs_plus", 2016, num(2410), "", ""),
		})
		p := indicators.NewSeries(def(t, "cpp_ended_2yrs_plus_pct"), indicators.England, []indicators.Observation{
			ob("cpp_ended_2yrs_plus_pct", 2015, num(3.7), "", ""), ob("cpp_ended_2yrs_plus_pct", 2016, num(3.8), "", ""),
		})
		c, err := Build(Options{}, n, p)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "figure3.json", indent(t, c.Option))
	})
}

// option is the part of an ECharts option these tests read.
type option struct {
	XAxis []struct {
		Data []string `json:"data"`
	} `json:"xAxis"`
	YAxis  []struct{ Name string } `json:"yAxis"`
	Series []struct {
		Name       string `json:"name"`
		Type       string `json:"type"`
		XAxisIndex int    `json:"xAxisIndex"`
		YAxisIndex int    `json:"yAxisIndex"`
		Data       []struct {
			Value any `json:"value"`
		} `json:"data"`
		MarkLine *struct {
			Data []struct {
				XAxis float64 `json:"xAxis"`
			} `json:"data"`
		} `json:"markLine"`
	} `json:"series"`
}

func TestBuild(t *testing.T) {
	c, err := Build(Options{Labels: true}, referralsSeries(t))
	if err != nil {
		t.Fatal(err)
	}
	var o option
	if err := json.Unmarshal(c.Option, &o); err != nil {
		t.Fatal(err)
	}
	years := o.XAxis[0].Data
	if len(years) != 8 || years[0] != "2010/11" || years[7] != "2017/18" {
		t.Fatalf("years = %v, want every year 2010/11 to 2017/18", years)
	}
	t.Run("SuppressedAndMissingAreGaps", func(t *testing.T) {
		for _, s := range o.Series {
			for i, d := range s.Data {
				if (years[i] == "2015/16" || years[i] == "2016/17") && d.Value != "-" {
					t.Errorf("%s %s = %v, want a gap", s.Name, years[i], d.Value)
				}
				if d.Value == 0.0 {
					t.Errorf("%s %s drawn as zero", s.Name, years[i])
				}
			}
		}
	})
	t.Run("BreakSplitsSeries", func(t *testing.T) {
		if len(o.Series) != 3 || !strings.Contains(o.Series[0].Name, "secondary") {
			t.Fatalf("series = %+v, want a secondary segment, a current one and the break marks", o.Series)
		}
		if o.Series[0].Data[2].Value != "-" || o.Series[1].Data[0].Value != "-" {
			t.Error("a segment has values on the other side of the break")
		}
		// The break line stands half way between two years, on the hidden
		// value axis that spans the category axis.
		marks := o.Series[2]
		if marks.XAxisIndex != 1 || marks.MarkLine == nil || len(marks.MarkLine.Data) != 1 || marks.MarkLine.Data[0].XAxis != 1.5 {
			t.Fatalf("break line = %+v, want one at 1.5 (between 2011/12 and 2012/13)", marks)
		}
	})
	t.Run("Tips", func(t *testing.T) {
		tip := strings.Join(c.Tips[4], "\n") // 2014/15
		if !strings.Contains(tip, "635,620") || !strings.Contains(tip, "Down 22,160 (3.4%) on 2013/14") {
			t.Errorf("2014/15 tip = %q", tip)
		}
		if tip := strings.Join(c.Tips[5], "\n"); !strings.Contains(tip, "c (confidential") {
			t.Errorf("2015/16 tip = %q, want the symbol explained", tip)
		}
		if tip := strings.Join(c.Tips[2], "\n"); !strings.Contains(tip, "Break in series") {
			t.Errorf("2012/13 tip = %q, want the break explained", tip)
		}
	})
}

func TestBuild_HostileTextIsEscaped(t *testing.T) {
	d := def(t, "referrals")
	geo := indicators.Geography{Code: "E12000001", Name: `</script><script>alert(1)</script>`, Level: indicators.LevelRegional}
	s := indicators.NewSeries(d, geo, []indicators.Observation{
		{Indicator: "referrals", Geography: geo, Period: 2015, Value: num(1), Note: `<img src=x onerror=alert(1)>`},
	})
	c, err := Build(Options{Description: s.Summary()}, s)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsAny(c.Option, "<>") {
		t.Fatalf("option JSON carries raw < or >: %s", c.Option)
	}
}

// TestBuild_PercentBesideCount: a percentage's early figures, before the
// count it is drawn beside begins, are left to the table and said so; its
// axis is scaled to its figures, and the note gives the range.
func TestBuild_PercentBesideCount(t *testing.T) {
	n := indicators.NewSeries(def(t, "cpp_ended_2yrs_plus"), indicators.England, []indicators.Observation{
		ob("cpp_ended_2yrs_plus", 2015, num(2250), "", ""), ob("cpp_ended_2yrs_plus", 2016, num(2410), "", ""),
		ob("cpp_ended_2yrs_plus", 2017, num(2230), "", ""),
	})
	p := indicators.NewSeries(def(t, "cpp_ended_2yrs_plus_pct"), indicators.England, []indicators.Observation{
		ob("cpp_ended_2yrs_plus_pct", 2001, num(11.8), "", ""),
		ob("cpp_ended_2yrs_plus_pct", 2015, num(3.3), "", ""), ob("cpp_ended_2yrs_plus_pct", 2016, num(3.6), "", ""),
		ob("cpp_ended_2yrs_plus_pct", 2017, num(4.4), "", ""),
	})
	before := len(p.Points)
	c, err := Build(Options{Labels: true}, n, p)
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		XAxis []struct {
			Data []string `json:"data"`
		} `json:"xAxis"`
		YAxis []struct {
			Min, Max *float64
		} `json:"yAxis"`
	}
	if err := json.Unmarshal(c.Option, &o); err != nil {
		t.Fatal(err)
	}
	if got := o.XAxis[0].Data; len(got) != 3 || got[0] != "2014/15" {
		t.Errorf("x axis %v, want 2014/15 to 2016/17", got)
	}
	if y := o.YAxis[1]; y.Min == nil || y.Max == nil || *y.Min != 3 || *y.Max != 5 {
		t.Errorf("right axis from %v to %v, want 3 to 5", y.Min, y.Max)
	}
	for _, want := range []string{"2000/01", "in the table", "from 3.0% to 5.0%"} {
		if !strings.Contains(c.Note, want) {
			t.Errorf("note %q lacks %q", c.Note, want)
		}
	}
	if len(p.Points) != before {
		t.Errorf("the caller's series lost points: %d left", len(p.Points))
	}
}

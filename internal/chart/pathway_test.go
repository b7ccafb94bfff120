package chart

import (
	"encoding/json"
	"testing"

	"cptrends/indicators"
)

func TestPathway(t *testing.T) {
	c, err := Pathway(Options{Description: "the pathway"}, PathwayBars{
		Stages: []string{"Referrals", "Section 47\nenquiries"},
		Bars:   []PathwayBar{{Name: "Hackney", Values: []*float64{num(674.0971), nil}}, {Name: "England", Values: []*float64{num(519.43), num(189.27)}}},
		Tips:   [][]string{{"a"}, {"b"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "pathway.json", indent(t, c.Option))
	var o struct {
		XAxis []struct {
			AxisLabel map[string]any `json:"axisLabel"`
		} `json:"xAxis"`
		Series []struct {
			Data []struct {
				Value any `json:"value"`
			} `json:"data"`
		} `json:"series"`
	}
	if err := json.Unmarshal(c.Option, &o); err != nil {
		t.Fatal(err)
	}
	if got := o.Series[0].Data; got[0].Value != 674.1 || got[1].Value != "-" {
		t.Errorf("Hackney = %v, want 674.1 (one decimal place) and a gap, never a zero", got)
	}
	if lh, ok := o.XAxis[0].AxisLabel["lineHeight"].(float64); !ok || lh <= 0 {
		t.Errorf("axis label line height %v, want a number", o.XAxis[0].AxisLabel["lineHeight"])
	}
	if _, err := Pathway(Options{}, PathwayBars{Stages: []string{"a"}, Bars: []PathwayBar{{Name: "x"}}}); err == nil {
		t.Error("a bar with too few values drew")
	}
}

func TestStackedAndLines(t *testing.T) {
	a := indicators.NewSeries(def(t, "cpp_at_31_march_3_months_or_less"), indicators.England, []indicators.Observation{
		ob("cpp_at_31_march_3_months_or_less", 2024, num(10), "", ""), ob("cpp_at_31_march_3_months_or_less", 2025, nil, "c", ""),
	})
	b := indicators.NewSeries(def(t, "cpp_at_31_march_2yrs_plus"), indicators.England, []indicators.Observation{
		ob("cpp_at_31_march_2yrs_plus", 2024, num(3), "", ""), ob("cpp_at_31_march_2yrs_plus", 2025, num(4), "", ""),
	})
	for name, build := range map[string]func(Options, ...indicators.Series) (Chart, error){"stacked": Stacked, "lines": Lines} {
		c, err := build(Options{}, a, b)
		if err != nil {
			t.Fatal(err)
		}
		var o struct {
			Series []struct {
				Name  string `json:"name"`
				Stack string `json:"stack"`
				Data  []struct {
					Value any `json:"value"`
				} `json:"data"`
			} `json:"series"`
		}
		if err := json.Unmarshal(c.Option, &o); err != nil {
			t.Fatal(err)
		}
		if len(o.Series) < 2 || o.Series[0].Data[1].Value != "-" || o.Series[1].Data[1].Value != 4.0 {
			t.Errorf("%s: %+v, want the suppressed year a gap", name, o.Series)
		}
		if name == "stacked" && (o.Series[0].Stack != "parts" || o.Series[1].Stack != "parts") {
			t.Errorf("stacked: not one stack: %+v", o.Series)
		}
		if name == "lines" && o.Series[0].Stack != "" {
			t.Errorf("lines stacked: %+v", o.Series)
		}
	}
}

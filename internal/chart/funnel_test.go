package chart

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func funnelInput() FunnelInput {
	return FunnelInput{
		XName: "Plans starting in the year", YName: "Per cent", Percent: true,
		Centre: 24.7, CentreName: "England (24.7%)",
		Points: []FunnelPoint{
			{Name: "Rutland", X: 39, Y: 23.1, Tip: []string{"Rutland", "23.1%"}},
			{Name: "Leeds", X: 1100, Y: 30.2, Highlight: true, Tip: []string{"Leeds", "30.2%"}},
			{Name: "</script><b>Hostile</b>", X: 400, Y: 20, Tip: []string{"x"}},
		},
		Curve: []FunnelLimits{
			{X: 35, Low95: 12.1, High95: 40.2, Low998: 6.9, High998: 49.9},
			{X: 1200, Low95: 20.5, High95: 29.3, Low998: 18.2, High998: 31.9},
		},
		XMin: 20, XMax: 2000,
		Description: "A funnel plot.",
	}
}

func TestLogAxisBounds(t *testing.T) {
	for _, tc := range []struct{ lo, hi, wantLo, wantHi float64 }{
		{39, 1927, 20, 2000},
		{918, 312000, 500, 500000},
		{1, 10, 1, 10},
		{5.5, 9.9, 5, 10},
		{150, 160, 100, 200},
	} {
		if lo, hi := LogAxisBounds(tc.lo, tc.hi); lo != tc.wantLo || hi != tc.wantHi {
			t.Errorf("LogAxisBounds(%v, %v) = %v, %v, want %v, %v", tc.lo, tc.hi, lo, hi, tc.wantLo, tc.wantHi)
		}
	}
}

func TestFunnel_Golden(t *testing.T) {
	c, err := Funnel(funnelInput())
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, c.Option, "", "  "); err != nil {
		t.Fatal(err)
	}
	golden(t, "funnel.json", pretty.Bytes())
}

func TestFunnel(t *testing.T) {
	c, err := Funnel(funnelInput())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(c.Option), "<") {
		t.Error("the option carries an unescaped <")
	}
	var opt struct {
		Series []struct {
			Name    string            `json:"name"`
			Type    string            `json:"type"`
			Silent  bool              `json:"silent"`
			Data    []json.RawMessage `json:"data"`
			Color   string            `json:"color"`
			Tooltip *struct {
				Show bool `json:"show"`
			} `json:"tooltip"`
		} `json:"series"`
		XAxis []struct {
			Type string `json:"type"`
		} `json:"xAxis"`
		Color []string `json:"color"`
	}
	if err := json.Unmarshal(c.Option, &opt); err != nil {
		t.Fatal(err)
	}
	if opt.XAxis[0].Type != "log" {
		t.Errorf("x-axis %q, want log", opt.XAxis[0].Type)
	}
	// The authorities come first, with one tooltip each; every other series
	// is silent, so charts.js's tooltip lookup by index is never confused.
	if s := opt.Series[0]; s.Type != "scatter" || len(s.Data) != 3 || len(c.Tips) != 3 || c.Tips[1][0] != "Leeds" {
		t.Errorf("first series %s %s with %d points, tips %v", s.Name, s.Type, len(s.Data), c.Tips)
	}
	for _, s := range opt.Series[1:] {
		if !s.Silent || s.Tooltip == nil || s.Tooltip.Show {
			t.Errorf("series %q takes part in the tooltip", s.Name)
		}
	}
	if last := opt.Series[len(opt.Series)-1]; last.Name != "Leeds" {
		t.Errorf("the chosen area is not named in the legend: last series %q", last.Name)
	}
	// Neutral colours: no red, no green.
	for _, col := range append(opt.Color, "#6f777b") {
		if strings.EqualFold(col, "#d4351c") || strings.EqualFold(col, "#00703c") || strings.EqualFold(col, "#ff0000") || strings.EqualFold(col, "#00ff00") {
			t.Errorf("colour %s says good or bad", col)
		}
	}
	if _, err := Funnel(FunnelInput{}); err == nil {
		t.Error("an empty funnel gave no error")
	}
}

func TestFunnelHistory(t *testing.T) {
	in := FunnelHistoryInput{Area: "Leeds", YName: "Per cent", Percent: true, Description: "x", Years: []FunnelYear{
		{Period: "2022/23", Value: 26.1, Centre: 23.9, Low95: 18, High95: 30, Low998: 15, High998: 34, Tip: []string{"2022/23"}},
		{Period: "2023/24", Value: 25, Centre: 24.7, Low95: 18.4, High95: 31.6, Low998: 15.1, High998: 35.8, Tip: []string{"2023/24"}},
	}}
	c, err := FunnelHistory(in)
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, c.Option, "", "  "); err != nil {
		t.Fatal(err)
	}
	golden(t, "funnel_history.json", pretty.Bytes())
	if len(c.Tips) != 2 || c.Tips[1][0] != "2023/24" {
		t.Errorf("tips %v", c.Tips)
	}
	if _, err := FunnelHistory(FunnelHistoryInput{}); err == nil {
		t.Error("no years gave no error")
	}
}

package figures

import (
	"context"
	"slices"
	"strings"
	"testing"

	"cptrends/indicators"
	"cptrends/internal/ingest"
	"cptrends/internal/store"
)

// newReader is a Reader of its own new database, loaded as a new
// installation loads it.
func newReader(t *testing.T) (*Reader, *store.Store) {
	t.Helper()
	r := newBundledReader(t)
	return r, r.Store
}

func def(t *testing.T, id string) *indicators.Definition {
	t.Helper()
	d, ok := indicators.Default().Lookup(id)
	if !ok {
		t.Fatalf("no indicator %s", id)
	}
	return d
}

func area(t *testing.T, r *Reader, code string) indicators.Geography {
	t.Helper()
	g, err := r.Geography(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestLineage(t *testing.T) {
	r := sharedReader(t)
	ctx := context.Background()

	t.Run("SuccessorNeverReachesBack", func(t *testing.T) {
		s, err := r.Series(ctx, def(t, "referrals"), area(t, r, "E06000062"))
		if err != nil {
			t.Fatal(err)
		}
		h := s.Headline()
		if !strings.Contains(h, "2024/25") || strings.Contains(h, "since 2012/13") || strings.Contains(h, "2020/21") {
			t.Errorf("West Northamptonshire's headline %q reaches back before its creation", h)
		}
		for _, p := range s.Points {
			if p.Period < indicators.PeriodOf(2022) && p.Value != nil && p.GeographyCode != "E10000021" {
				t.Errorf("%s: a figure before 2021/22 not marked as Northamptonshire's", p.Period)
			}
			if p.Period == indicators.PeriodOf(2022) && (!p.BreakBefore || p.Change != nil) {
				t.Errorf("2021/22: want a break and no change, got break %v change %v", p.BreakBefore, p.Change)
			}
		}
	})

	t.Run("NeverItsOwnComparator", func(t *testing.T) {
		west := area(t, r, "E06000062")
		c, err := r.Compare(ctx, def(t, "referrals"), west)
		if err != nil || c == nil {
			t.Fatal(c, err)
		}
		for _, n := range c.Context.Neighbours {
			if n.Code == west.Code {
				t.Errorf("West Northamptonshire is its own neighbour")
			}
		}
		for _, row := range c.Rows {
			if row.Period == "2012/13" && row.Neighbour && strings.Contains(row.Missing, "North Northamptonshire") == false && slices.ContainsFunc(c.Context.Neighbours, func(g indicators.Geography) bool { return g.Code == "E06000061" }) {
				t.Errorf("2012/13: North Northamptonshire, which carries the county's figure as West Northamptonshire does, is not left out: %q", row.Missing)
			}
		}
	})

	t.Run("OnceInThePicker", func(t *testing.T) {
		groups, err := r.AreaGroups(ctx)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, g := range groups {
			for _, ch := range g.Choices {
				seen[ch.Name]++
			}
		}
		if seen["Buckinghamshire"] != 1 {
			t.Errorf("Buckinghamshire listed %d times", seen["Buckinghamshire"])
		}
		for n, k := range seen {
			if k > 1 {
				t.Errorf("%s listed %d times", n, k)
			}
		}
	})

	t.Run("OncePerLeagueYear", func(t *testing.T) {
		for _, y := range []int{2016, 2021, 2025} {
			lg, err := r.League(ctx, def(t, "referrals"), indicators.PeriodOf(y), "rank", "")
			if err != nil {
				t.Fatal(err)
			}
			names := map[string]int{}
			for _, row := range append(lg.Rows, lg.Unranked...) {
				names[row.Name]++
			}
			for n, k := range names {
				if k > 1 {
					t.Errorf("%d: %s listed %d times", y, n, k)
				}
			}
			if names["Buckinghamshire"] != 1 {
				t.Errorf("%d: Buckinghamshire listed %d times", y, names["Buckinghamshire"])
			}
		}
	})

	t.Run("FormerCountyDrawnApart", func(t *testing.T) {
		v, err := r.Indicator(ctx, def(t, "cpp_started"), area(t, r, "E06000063"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(v.Figure.Option, "Plans starting: Cumbria (former county)") {
			t.Errorf("Cumberland's chart does not name Cumbria's figures as a series of their own")
		}
	})
}

func TestWords(t *testing.T) {
	r := sharedReader(t)
	ctx := context.Background()
	eng := indicators.England

	t.Run("StockAt31March", func(t *testing.T) {
		s, _ := r.Series(ctx, def(t, "cpp_at_31_march"), eng)
		if h := s.Headline(); !strings.Contains(h, "children on a child protection plan at 31 March 2025") {
			t.Errorf("headline %q", h)
		}
		p, _ := r.Series(ctx, def(t, "population_0_17"), eng)
		if h := p.Headline(); !strings.Contains(h, "in mid-2024") {
			t.Errorf("population headline %q", h)
		}
	})

	t.Run("HeadlineNotes", func(t *testing.T) {
		v, err := r.Indicator(ctx, def(t, "referrals"), eng)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(v.Figure.HeadlineNotes, func(n string) bool { return strings.Contains(n, "Hampshire") }) {
			t.Errorf("England's referrals headline %q has no Hampshire note: %q", v.Figure.Headlines, v.Figure.HeadlineNotes)
		}
		if !strings.Contains(v.Figure.Notes, "Hampshire") {
			t.Errorf("the image's notes leave out the headline's: %q", v.Figure.Notes)
		}
	})

	t.Run("NotesBelongToTheirArea", func(t *testing.T) {
		v, err := r.Indicator(ctx, def(t, "cpp_second_or_subsequent_pct"), area(t, r, "E08000025"))
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range v.Figure.Tables[0].Rows {
			for _, n := range row.Notes {
				if strings.Contains(n, "Hackney") || strings.Contains(n, "23.3%") {
					t.Errorf("Birmingham %s carries %q", row.Period, n)
				}
			}
		}
		if v.Figure.Tables[0].NoChangePct != true {
			t.Errorf("a percentage's table shows a relative change")
		}
	})

	t.Run("SmallNumbers", func(t *testing.T) {
		v, err := r.Indicator(ctx, def(t, "referrals"), area(t, r, "E06000053"))
		if err != nil {
			t.Fatal(err)
		}
		small := 0
		for _, row := range v.Figure.Tables[0].Rows {
			if row.Small {
				small++
			}
			if row.Small && row.Unusual != "" {
				t.Errorf("Isles of Scilly %s: %q on a small number", row.Period, row.Unusual)
			}
		}
		if small == 0 || v.Figure.Tables[0].Caution == "" {
			t.Errorf("the Isles of Scilly's referrals carry no small-number caution")
		}
	})
}

func TestSnapshotChanges_Comparators(t *testing.T) {
	r, st := newReader(t)
	ctx := context.Background()
	hackney := area(t, r, "E09000012")
	doc, err := r.Snapshot(ctx, "cpp_second_or_subsequent_pct", hackney)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Compare == nil || len(doc.Compare.Series) < 3 {
		t.Fatalf("the document keeps %d comparison series", len(doc.Compare.Series))
	}
	res := ingest.Read(indicators.Default(), ingest.Options{}, ingest.Input{Name: "england.csv",
		R: strings.NewReader("indicator,period,geography_code,value\ncpp_second_or_subsequent_pct,2021/22,E92000001,21.0\n")})
	if !res.OK() {
		t.Fatal(res.Problems)
	}
	if _, err := st.Import(ctx, store.NewUpload{By: "ana", Files: res.Files, Observations: res.Observations}, false); err != nil {
		t.Fatal(err)
	}
	changes, err := r.ChangesSince(ctx, "cpp_second_or_subsequent_pct", doc)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, sc := range changes {
		for _, row := range sc.Rows {
			if strings.Contains(sc.Title, "England") && row.Period == "2021/22" && row.New == "21.0%" {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("England's revised 2021/22 is not among the changes since Hackney's snapshot: %+v", changes)
	}
}

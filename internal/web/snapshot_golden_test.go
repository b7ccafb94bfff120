package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cptrends/internal/store"

	"github.com/PuerkitoBio/goquery"
)

// TestSnapshotGolden_OldDocuments: snapshots stored by an earlier release
// render their figures as they did then.
func TestSnapshotGolden_OldDocuments(t *testing.T) {
	srv, st := newTestServer(t)
	ctx := context.Background()
	v, err := st.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, subject, geography string }{
		{"v0_referrals_E09000012", "referrals", "E09000012"},
		{"v0_overview_E92000001", "overview", "E92000001"},
		{"v0_cpp_second_or_subsequent_pct_E09000012", "cpp_second_or_subsequent_pct", "E09000012"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			content, err := os.ReadFile(filepath.Join("..", "..", "testdata", "snapshots", tc.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			golden, err := os.ReadFile(filepath.Join("..", "..", "testdata", "snapshots", tc.name+".page.html"))
			if err != nil {
				t.Fatal(err)
			}
			sn, err := st.CreateSnapshot(ctx, store.Snapshot{Subject: tc.subject, Geography: tc.geography,
				Indicators: []string{tc.subject}, Title: "Golden", CreatedBy: "ana", DataVersion: v, Content: content})
			if err != nil {
				t.Fatal(err)
			}
			rec := get(t, srv, "/snapshots/"+sn.ID)
			if rec.Code != 200 {
				t.Fatalf("GET snapshot = %d", rec.Code)
			}
			got, want := normaliseFigures(figuresOf(t, rec.Body.String())), normaliseFigures(figuresOf(t, string(golden)))
			if got != want {
				i := 0
				for i < len(got) && i < len(want) && got[i] == want[i] {
					i++
				}
				t.Errorf("figures differ from the stored page at byte %d:\ngot  %q\nwant %q", i, excerpt(got, i), excerpt(want, i))
			}
		})
	}
}

// normaliseFigures drops what is not the figures themselves: the drawing
// of each chart that the server makes from its stored option when the page
// is shown (the option itself is compared), and white space between tags.
func normaliseFigures(s string) string {
	d, err := goquery.NewDocumentFromReader(strings.NewReader(s))
	if err != nil {
		panic(err)
	}
	d.Find(".app-chart svg").Remove()
	d.Find(".app-chart").RemoveClass("app-chart--drawn")
	if s, err = d.Find("body").Html(); err != nil {
		panic(err)
	}
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func excerpt(s string, i int) string {
	lo, hi := max(0, i-80), min(len(s), i+120)
	return s[lo:hi]
}

package web

import (
	"context"
	"encoding/xml"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"cptrends/internal/browsertest"
)

// screenshotDir is where this test leaves pictures to look at (git-ignored).
const screenshotDir = "../../testdata/screenshots"

// openTab opens a tab that stops with the test, and returns a context for
// it with a deadline.
func openTab(t *testing.T, browserCtx context.Context) (context.Context, *browsertest.Recorder) {
	t.Helper()
	l := &browsertest.Recorder{}
	tab, cancelTab := chromedp.NewContext(browserCtx, chromedp.WithListener(l.Listen))
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, 6*time.Minute) // a guard against a hang: the race detector slows drawing charts many times over
	t.Cleanup(cancel)
	return ctx, l
}

// drawn is "N" once every .app-chart has been drawn into a canvas.
const drawn = `(() => {
	const els = Array.from(document.querySelectorAll('.app-chart'));
	if (els.some(el => el.getAttribute('data-drawn') === 'error')) return 'error';
	if (els.length && els.every(el => el.getAttribute('data-drawn') === 'true' && el.querySelector('canvas'))) return String(els.length);
	return false;
})()`

// shown is "N" once every .app-chart shows a drawing, SVG from the server
// or a live canvas, of a real size.
const shown = `(() => {
	const els = Array.from(document.querySelectorAll('.app-chart'));
	const seen = (el) => Array.from(el.querySelectorAll('svg, canvas')).some((c) => {
		const r = c.getBoundingClientRect();
		return r.width > 100 && r.height > 100;
	});
	if (els.length && els.every(seen)) return String(els.length);
	return false;
})()`

// visitAndSee opens url and waits until every chart is on screen, which
// needs no script for charts drawn on the server.
func visitAndSee(t *testing.T, ctx context.Context, url string) int {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
	got, err := chromedp.Run(ctx, chromedp.Poll[string](shown, chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		t.Fatalf("%s: charts not shown: %v", url, err)
	}
	n, _ := strconv.Atoi(got)
	return n
}

func visitAndWait(t *testing.T, ctx context.Context, url string) int {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
	got, err := chromedp.Run(ctx, chromedp.Poll[string](drawn, chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil || got == "error" {
		t.Fatalf("%s: charts not drawn: %q %v", url, got, err)
	}
	n, _ := strconv.Atoi(got)
	return n
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	// Let animations finish before the picture.
	time.Sleep(time.Second)
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	saveFile(t, name, shot)
}

func saveFile(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(screenshotDir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitDownload waits for a finished file in dir whose name starts with
// prefix and ends with suffix.
func waitDownload(t *testing.T, dir, prefix, suffix string) []byte {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		matches, _ := filepath.Glob(filepath.Join(dir, prefix+"*"+suffix))
		if len(matches) == 1 {
			b, err := os.ReadFile(matches[0])
			if err == nil && len(b) > 0 {
				return b
			}
		}
	}
	t.Fatalf("no download %s*%s in %s", prefix, suffix, dir)
	return nil
}

// checkPNG decodes an exported image and checks its size and that it
// carries a drawing, not a blank.
func checkPNG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	bounds := img.Bounds()
	if bounds.Dx() < 1600 {
		t.Errorf("PNG is %dx%d, want at least 1600 wide", bounds.Dx(), bounds.Dy())
	}
	inked, colours := 0, map[color.RGBA]bool{}
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 2 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			c := color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 255}
			colours[c] = true
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				inked++
			}
		}
	}
	if total := bounds.Dx() * bounds.Dy() / 4; inked < total/50 || len(colours) < 20 {
		t.Errorf("PNG looks blank: %d of %d pixels inked, %d colours", inked, total, len(colours))
	}
	t.Logf("PNG %dx%d, %d bytes", bounds.Dx(), bounds.Dy(), len(b))
	return img
}

func TestBrowserExportsAndSnapshots(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	ctxBrowser := browsertest.Start(t)
	ts, st := newAuthServer(t)
	hostile := `</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`
	importCSV(t, st, "indicator,period,value,note\nreferrals,2014/15,635620,\""+strings.ReplaceAll(hostile, `"`, `""`)+"\"\n")
	hb := newBrowser(t, ts)
	hb.login("vic", viewerPassword)
	snap := hb.mustSnapshot("referrals", "Referrals for the scrutiny panel")
	importCSV(t, st, revision) // so the snapshot shows its "newer figures" notice

	dl := t.TempDir()
	if _, err := chromedp.CallBrowser(ctxBrowser, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dl}); err != nil {
		t.Fatal(err)
	}

	t.Run("DownloadPNGAndSVG", func(t *testing.T) {
		ctx, l := openTab(t, ctxBrowser)
		visitAndWait(t, ctx, ts.URL+"/indicators/referrals")
		if err := chromedp.Do(ctx, chromedp.Click(`#chart-referrals + .app-export button[data-export="png"]`)); err != nil {
			t.Fatal(err)
		}
		b := waitDownload(t, dl, "cptrends-referrals-", ".png")
		checkPNG(t, b)
		saveFile(t, "export_referrals.png", b)

		if err := chromedp.Do(ctx, chromedp.Click(`#chart-referrals + .app-export button[data-export="svg"]`)); err != nil {
			t.Fatal(err)
		}
		svg := string(waitDownload(t, dl, "cptrends-referrals-", ".svg"))
		for _, want := range []string{"<svg", "Referrals accepted by children", "Data version 3", "Source: Department for Education", "Image made"} {
			if !strings.Contains(svg, want) {
				t.Errorf("SVG lacks %q", want)
			}
		}
		if strings.Contains(svg, "<script") || strings.Contains(svg, "<img") {
			t.Error("the SVG carries markup from the data")
		}
		if err := wellFormed(svg); err != nil {
			t.Errorf("the SVG is not well-formed XML: %v", err)
		}
		saveFile(t, "export_referrals.svg", []byte(svg))
		screenshot(t, ctx, "indicator_with_exports.png")
		// The SVG opens on its own, as a picture.
		svgFile := filepath.Join(t.TempDir(), "chart.svg")
		os.WriteFile(svgFile, []byte(svg), 0o644)
		if err := chromedp.Do(ctx, chromedp.Navigate("file://"+svgFile)); err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, "export_referrals_svg.png")
		if errs := l.Errors(); errs != nil {
			t.Errorf("errors: %v", errs)
		}
	})

	t.Run("OverviewFigure1PNG", func(t *testing.T) {
		ctx, _ := openTab(t, ctxBrowser)
		visitAndWait(t, ctx, ts.URL+"/")
		if err := chromedp.Do(ctx, chromedp.Click(`#figure-1 + .app-export button[data-export="png"]`)); err != nil {
			t.Fatal(err)
		}
		b := waitDownload(t, dl, "cptrends-figure-1-", ".png")
		checkPNG(t, b)
		saveFile(t, "export_figure1.png", b)
	})

	t.Run("OverviewFigure3PNG", func(t *testing.T) {
		ctx, _ := openTab(t, ctxBrowser)
		if n := visitAndWait(t, ctx, ts.URL+"/"); n != 4 {
			t.Errorf("overview charts = %d", n)
		}
		if err := chromedp.Do(ctx, chromedp.Click(`#figure-3 + .app-export button[data-export="png"]`)); err != nil {
			t.Fatal(err)
		}
		b := waitDownload(t, dl, "cptrends-figure-3-", ".png")
		checkPNG(t, b)
		saveFile(t, "export_figure3.png", b)
	})

	t.Run("SnapshotAndPack", func(t *testing.T) {
		ctx, l := openTab(t, ctxBrowser)
		visitAndWait(t, ctx, ts.URL+snap)
		screenshot(t, ctx, "snapshot.png")
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+snap+"/compare")); err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, "snapshot_compare.png")
		if n := visitAndWait(t, ctx, ts.URL+"/pack"); n != 4 {
			t.Errorf("pack charts = %d, want 4", n)
		}
		screenshot(t, ctx, "pack.png")
		pdf, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		saveFile(t, "pack.pdf", pdf.Data)
		// A cover page, then each figure on pages of its own.
		pages := regexp.MustCompile(`/Type\s*/Page\b`).FindAll(pdf.Data, -1)
		if len(pages) < 5 {
			t.Errorf("the pack prints on %d pages, want at least 5", len(pages))
		}
		t.Logf("pack: %d A4 pages", len(pages))
		// The page as printed, at the width of A4 between its margins.
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 680, Height: 960, DeviceScaleFactor: 1}); err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, "pack_print.png")
		if errs := l.Errors(); errs != nil {
			t.Errorf("errors: %v", errs)
		}
	})

	// The offline file, opened from disk with the network off, shows its
	// chart (SVG, no script) and fetches nothing; the hostile note stays
	// text.
	t.Run("OfflineFile", func(t *testing.T) {
		code, body := hb.get(snap + ".html")
		if code != 200 {
			t.Fatalf("GET %s.html = %d", snap, code)
		}
		t.Logf("offline file %d bytes", len(body))
		file := filepath.Join(t.TempDir(), "snapshot.html")
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, l := openTab(t, ctxBrowser)
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}}); err != nil {
			t.Fatal(err)
		}
		visitAndSee(t, ctx, "file://"+file)
		pwned, err := chromedp.Run(ctx, chromedp.Evaluate[string](`typeof window.__pwned`))
		if err != nil || pwned != "undefined" {
			t.Errorf("window.__pwned is %q (%v): text from an upload ran", pwned, err)
		}
		screenshot(t, ctx, "snapshot_offline.png")
		for _, u := range l.Requests() {
			if !strings.HasPrefix(u, "file://") && !strings.HasPrefix(u, "data:") {
				t.Errorf("the offline file requested %s", u)
			}
		}
		if errs := l.Errors(); errs != nil {
			t.Errorf("errors: %v", errs)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// wellFormed reads an XML document to its end.
func wellFormed(doc string) error {
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		if _, err := d.Token(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

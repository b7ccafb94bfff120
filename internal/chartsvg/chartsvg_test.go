package chartsvg

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// newTestRenderer is New with opts, allowing a minute a render unless
// opts say otherwise: the race detector slows the engine many times.
func newTestRenderer(t *testing.T, opts Options) *Renderer {
	t.Helper()
	if opts.Timeout == 0 {
		opts.Timeout = time.Minute
	}
	r, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func readOption(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../chart/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// shapes parses svg as XML (failing the test if it is not well formed) and
// returns how many elements of each name it has, the shapes drawn in the
// plot for each series and colour, and its text.
func shapes(t *testing.T, svg string) (elems map[string]int, perSeries map[string]int, text string) {
	t.Helper()
	elems, perSeries = map[string]int{}, map[string]int{}
	var b strings.Builder
	d := xml.NewDecoder(strings.NewReader(svg))
	d.Strict = true
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well formed: %v\n%.400s", err, svg)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			elems[tok.Name.Local]++
			for _, a := range tok.Attr {
				if a.Name.Local == "data-series" && tok.Name.Local == "path" && attr(tok, "data-kind") == "chart" {
					perSeries[a.Value+" "+attr(tok, "fill")]++
				}
				if a.Name.Local == "style" || a.Name.Local == "class" || strings.HasPrefix(a.Name.Local, "on") {
					t.Errorf("<%s> has attribute %s", tok.Name.Local, a.Name.Local)
				}
			}
		case xml.CharData:
			b.Write(tok)
		}
	}
	return elems, perSeries, b.String()
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// barsIn counts the values an option's bar series draw, by series index
// and the colour of their bars.
func barsIn(t *testing.T, option string) map[string]int {
	t.Helper()
	var o struct {
		Series []struct {
			Type      string `json:"type"`
			Color     string `json:"color"`
			ItemStyle struct {
				Color string `json:"color"`
			} `json:"itemStyle"`
			Data []struct {
				Value any `json:"value"`
			} `json:"data"`
		} `json:"series"`
	}
	if err := json.Unmarshal([]byte(option), &o); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for i, s := range o.Series {
		if s.Type != "bar" {
			continue
		}
		color := s.ItemStyle.Color
		if color == "" {
			color = s.Color
		}
		for _, d := range s.Data {
			if _, ok := d.Value.(float64); ok {
				want[fmt.Sprint(i)+" "+color]++
			}
		}
	}
	return want
}

func TestRender_Referrals(t *testing.T) {
	r := newTestRenderer(t, Options{})
	option := readOption(t, "referrals.json")
	svg, err := r.Render(context.Background(), option, 900, 420, "fig-referrals")
	if err != nil {
		t.Fatal(err)
	}
	elems, perSeries, text := shapes(t, svg)
	want := barsIn(t, option)
	if len(want) == 0 {
		t.Fatal("the referrals option has no bars")
	}
	for series, n := range want {
		if perSeries[series] != n {
			t.Errorf("series %s: %d bars drawn, want %d", series, perSeries[series], n)
		}
	}
	if elems["svg"] != 1 || elems["style"] != 0 || elems["script"] != 0 {
		t.Errorf("elements %v", elems)
	}
	if !strings.HasPrefix(svg, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 900 420"`) {
		t.Errorf("SVG starts %.120q, want a viewBox and no fixed size", svg)
	}
	for _, s := range []string{"2010/11", "2017/18", "Referrals (secondary sources)", "600,000"} {
		if !strings.Contains(text, s) {
			t.Errorf("SVG text lacks %q", s)
		}
	}
	if strings.Contains(svg, `id="zr`) || strings.Contains(svg, "url(#zr") {
		t.Error("an id or reference is not prefixed")
	}
	if !strings.Contains(svg, `id="fig-referrals-`) {
		t.Error("no prefixed id")
	}
	t.Logf("%d bytes", len(svg))
}

func TestRender_Hostile(t *testing.T) {
	r := newTestRenderer(t, Options{Engines: 1, Cache: -1})
	// The one engine, with alert() set to note a call.
	e, err := r.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var alerted bool
	e.vm.Set("alert", func(goja.FunctionCall) goja.Value { alerted = true; return goja.Undefined() })
	r.release(e)

	labels := []string{`</svg><script>alert(1)</script>`, `"}));alert(1);//`, `<img src=x onerror=alert(1)>`}
	option, _ := json.Marshal(map[string]any{
		"xAxis":  map[string]any{"type": "category", "data": labels},
		"yAxis":  map[string]any{"type": "value", "name": `');alert(1);('`},
		"legend": map[string]any{"data": []string{labels[1]}},
		"series": []any{map[string]any{"type": "bar", "name": labels[1], "data": []int{1, 2, 3},
			"label": map[string]any{"show": true, "formatter": labels[0]}}},
	})
	svg, err := r.Render(context.Background(), string(option), 600, 300, "hostile")
	if err != nil {
		t.Fatal(err)
	}
	if alerted {
		t.Fatal("alert() ran")
	}
	elems, _, text := shapes(t, svg)
	if elems["script"] != 0 || elems["img"] != 0 || elems["svg"] != 1 {
		t.Errorf("elements %v", elems)
	}
	for _, l := range labels {
		if !strings.Contains(text, l) && !strings.Contains(text, strings.Fields(l)[0]) {
			t.Errorf("label %q is not in the SVG's text", l)
		}
	}
	if strings.Contains(svg, "<script") || strings.Contains(svg, "<img") || !strings.Contains(svg, "&lt;/svg&gt;&lt;script&gt;") {
		t.Errorf("labels not escaped:\n%s", svg)
	}
}

func TestRender_Timeout(t *testing.T) {
	r := newTestRenderer(t, Options{Engines: 1, Timeout: 20 * time.Millisecond, Cache: -1})
	// Start the engine first: loading ECharts is not part of the limit.
	e, err := r.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r.release(e)
	data := make([]int, 100_000)
	for i := range data {
		data[i] = i % 977
	}
	option, _ := json.Marshal(map[string]any{
		"xAxis":  map[string]any{"type": "category"},
		"yAxis":  map[string]any{"type": "value"},
		"series": []any{map[string]any{"type": "line", "data": data}, map[string]any{"type": "bar", "data": data}},
	})
	start := time.Now()
	_, err = r.Render(context.Background(), string(option), 800, 400, "slow")
	took := time.Since(start)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if took > 5*time.Second {
		t.Errorf("interrupted after %s", took)
	}
	if len(r.slots) != 0 || len(r.idle) != 0 {
		t.Errorf("the interrupted engine was kept (%d alive, %d idle)", len(r.slots), len(r.idle))
	}
	// The next render gets a fresh engine and works (a first render on an
	// engine takes longer than this test's limit).
	r.timeout = 10 * time.Second
	if _, err := r.Render(context.Background(), readOption(t, "referrals.json"), 900, 420, "after"); err != nil {
		t.Fatalf("render after a timeout: %v", err)
	}
}

func TestRender_Cancelled(t *testing.T) {
	r := newTestRenderer(t, Options{Engines: 1, Cache: -1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// The engine is started (the bound was free), then the render stops at
	// once.
	if _, err := r.Render(ctx, readOption(t, "referrals.json"), 900, 420, "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestRender_Concurrent(t *testing.T) {
	r := newTestRenderer(t, Options{Engines: 2, Cache: 4})
	options := []string{readOption(t, "referrals.json"), readOption(t, "figure3.json")}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opt := options[i%2]
			w := 340 + 80*(i%5)
			svg, err := r.Render(context.Background(), opt, w, 320, fmt.Sprintf("c%d", i))
			if err != nil {
				errs <- err
				return
			}
			if !strings.Contains(svg, fmt.Sprintf(`viewBox="0 0 %d 320"`, w)) {
				errs <- fmt.Errorf("render %d: wrong size", i)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(r.slots); n > 2 {
		t.Errorf("%d engines alive, bound 2", n)
	}
	if n := len(r.order); n > 4 {
		t.Errorf("%d charts cached, bound 4", n)
	}
}

func TestRender_BadInput(t *testing.T) {
	r := newTestRenderer(t, Options{})
	ok := readOption(t, "referrals.json")
	for _, c := range []struct {
		name, option string
		w, h         int
		prefix       string
	}{
		{"NotJSON", `{"series": [`, 900, 420, "a"},
		{"NotObject", `[1, 2]`, 900, 420, "a"},
		{"Script", `alert(1)`, 900, 420, "a"},
		{"TooWide", ok, 40000, 420, "a"},
		{"TooSmall", ok, 900, 0, "a"},
		{"BadPrefix", ok, 900, 420, `a" onload="x`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := r.Render(context.Background(), c.option, c.w, c.h, c.prefix); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestClean(t *testing.T) {
	const head = `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" viewBox="0 0 10 10">`
	t.Run("OK", func(t *testing.T) {
		got, err := clean(head+`<text style="font-size:12px;font-family:'Segoe UI';" class="c" onclick="x()">a &amp; b</text>`+
			`<path d="M0 0" clip-path="url(#c0)" ecmeta_series_index="1"></path><style>.c:hover{}</style></svg>`, "p")
		if err != nil {
			t.Fatal(err)
		}
		want := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" aria-hidden="true" focusable="false">` +
			`<text font-size="12px" font-family="'Segoe UI'">a &amp; b</text>` +
			`<path d="M0 0" clip-path="url(#p-c0)" data-series="1"></path></svg>`
		if got != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	})
	for _, c := range []struct{ name, body string }{
		{"Script", `<script>alert(1)</script>`},
		{"ForeignObject", `<foreignObject><div/></foreignObject>`},
		{"Image", `<image href="https://example.com/x.png"/>`},
		{"RemoteURL", `<path fill="url(https://example.com/#x)"></path>`},
		{"NotWellFormed", `<path>`},
		{"OtherNamespace", `<h:p xmlns:h="http://www.w3.org/1999/xhtml">x</h:p>`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got, err := clean(head+c.body+`</svg>`, "p"); err == nil {
				t.Errorf("accepted: %s", got)
			}
		})
	}
}

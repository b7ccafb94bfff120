// Package chartsvg draws a chart's ECharts option as SVG on the server, so
// that a page carries its charts drawn and shows them with no script.
//
// It runs ECharts' own server-side renderer (init with ssr: true, then
// renderToSVGString) in a pure-Go JavaScript engine, loaded from the
// ECharts build that the binary embeds (assets/build/echarts-server.js).
// The engine only ever sees option JSON, handed over as a string value and
// parsed with JSON.parse, never as script source; each render has a time
// limit, and there is at most one engine per worker. What ECharts writes
// is read back and written out again through a list of the SVG elements
// and attributes a chart uses (svg.go), so nothing else reaches a page.
package chartsvg

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"time"

	"cptrends/assets"

	"github.com/dop251/goja"
)

// Options bound a Renderer.
type Options struct {
	// Engines is the most JavaScript engines alive at once, each about
	// EngineMemory; 0 means DefaultEngines().
	Engines int
	// Timeout is the longest one render may run; 0 means 5 seconds.
	Timeout time.Duration
	// Cache is how many drawn charts are kept, by option and size; 0
	// means 256, a negative number none.
	Cache int
}

// Limits on a request, so that a mistaken caller cannot ask for a picture
// that takes the engine's memory.
const (
	minSide = 50
	maxSide = 4000
	maxJSON = 4 << 20
)

// EngineMemory is about what one engine with ECharts loaded keeps on the
// heap (12.6 MB measured), rounded up; a render allocates some 15 MB more
// that it does not keep.
const EngineMemory = 16 << 20

// DefaultEngines is the bound on engines when Options leave it open: one
// per processor the Go scheduler uses, and no more than 4, so that memory
// stays bounded on a large machine.
func DefaultEngines() int { return min(runtime.GOMAXPROCS(0), 4) }

// ErrTimeout is returned when a render ran longer than Options.Timeout.
var ErrTimeout = errors.New("chartsvg: render took too long")

// Renderer draws options as SVG. It is safe for concurrent use.
type Renderer struct {
	library *goja.Program
	draw    *goja.Program
	timeout time.Duration

	idle  chan *engine
	slots chan struct{} // one token per engine alive

	mu      sync.Mutex
	cache   map[string]string
	order   []string // cache keys, oldest first
	maxKeep int
}

// New compiles the embedded ECharts build once; engines are started as
// renders need them.
func New(opts Options) (*Renderer, error) {
	src, err := assets.ServerECharts()
	if err != nil {
		return nil, fmt.Errorf("chartsvg: the ECharts build for the server (run make assets): %w", err)
	}
	return newRenderer(string(src), opts)
}

func newRenderer(library string, opts Options) (*Renderer, error) {
	lib, err := goja.Compile("echarts.server.min.js", library, true)
	if err != nil {
		return nil, fmt.Errorf("chartsvg: compile ECharts: %w", err)
	}
	draw, err := goja.Compile("draw.js", drawScript, true)
	if err != nil {
		return nil, fmt.Errorf("chartsvg: compile: %w", err)
	}
	n := opts.Engines
	if n <= 0 {
		n = DefaultEngines()
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	keep := opts.Cache
	if keep == 0 {
		keep = 256
	}
	r := &Renderer{library: lib, draw: draw, timeout: timeout,
		idle: make(chan *engine, n), slots: make(chan struct{}, n),
		cache: map[string]string{}, maxKeep: max(keep, 0)}
	return r, nil
}

// drawScript draws the option held in the engine's optionJSON at
// chartWidth by chartHeight. The option is data: JSON.parse makes plain
// objects, strings and numbers of it, and ECharts draws them.
// Animation is off, so the SVG is the finished chart.
const drawScript = `(function () {
  var option = JSON.parse(optionJSON);
  option.animation = false;
  var chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: chartWidth, height: chartHeight });
  try {
    chart.setOption(option);
    return chart.renderToSVGString({ useViewBox: true });
  } finally {
    chart.dispose();
  }
})()`

// engine is one JavaScript runtime with ECharts loaded.
type engine struct {
	vm *goja.Runtime
}

func (r *Renderer) newEngine() (*engine, error) {
	vm := goja.New()
	// ECharts asks for timers (for animation and deferred work); a render
	// is drawn synchronously, so they are accepted and never fire.
	next := 0
	vm.Set("setTimeout", func(goja.FunctionCall) goja.Value { next++; return vm.ToValue(next) })
	vm.Set("clearTimeout", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	if _, err := vm.RunProgram(r.library); err != nil {
		return nil, fmt.Errorf("chartsvg: load ECharts: %w", err)
	}
	return &engine{vm: vm}, nil
}

// acquire takes an idle engine, starts one if fewer than the bound are
// alive, or waits for one to come free.
func (r *Renderer) acquire(ctx context.Context) (*engine, error) {
	select {
	case e := <-r.idle:
		return e, nil
	default:
	}
	select {
	case e := <-r.idle:
		return e, nil
	case r.slots <- struct{}{}:
		e, err := r.newEngine()
		if err != nil {
			<-r.slots
			return nil, err
		}
		return e, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (r *Renderer) release(e *engine) { r.idle <- e }

// discard drops an engine whose render failed part-way: what ECharts held
// then is not to be trusted for the next chart.
func (r *Renderer) discard(*engine) { <-r.slots }

// Size is one drawing of a chart: its width and height in pixels, and
// the prefix put before every id inside it, so that several charts can
// share a page (letters, digits, hyphens and underscores).
type Size struct {
	Width, Height int
	IDPrefix      string
}

// Render returns the chart drawn by optionJSON (an ECharts option, as
// internal/chart builds it) at width by height pixels, as an <svg> element
// that scales to its container (viewBox, no fixed size).
func (r *Renderer) Render(ctx context.Context, optionJSON string, width, height int, idPrefix string) (string, error) {
	out, err := r.RenderSizes(ctx, optionJSON, []Size{{width, height, idPrefix}})
	if err != nil {
		return "", err
	}
	return out[0], nil
}

// RenderSizes draws one option at each of sizes, in turn on one engine, so
// that a chart's drawings wait for an engine once.
func (r *Renderer) RenderSizes(ctx context.Context, optionJSON string, sizes []Size) ([]string, error) {
	if len(optionJSON) > maxJSON {
		return nil, fmt.Errorf("chartsvg: option of %d bytes is over the limit of %d", len(optionJSON), maxJSON)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal([]byte(optionJSON), &probe); err != nil {
		return nil, fmt.Errorf("chartsvg: the option is not a JSON object: %w", err)
	}
	sum := sha256.Sum256([]byte(optionJSON))
	hash := hex.EncodeToString(sum[:])
	out := make([]string, len(sizes))
	keys := make([]string, len(sizes))
	var missing []int
	for i, sz := range sizes {
		if sz.Width < minSide || sz.Width > maxSide || sz.Height < minSide || sz.Height > maxSide {
			return nil, fmt.Errorf("chartsvg: size %dx%d is outside %d to %d", sz.Width, sz.Height, minSide, maxSide)
		}
		if !validPrefix(sz.IDPrefix) {
			return nil, fmt.Errorf("chartsvg: id prefix %q is not letters, digits, hyphens and underscores", sz.IDPrefix)
		}
		keys[i] = hash + "/" + strconv.Itoa(sz.Width) + "x" + strconv.Itoa(sz.Height) + "/" + sz.IDPrefix
		if svg, ok := r.cached(keys[i]); ok {
			out[i] = svg
		} else {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	e, err := r.acquire(ctx)
	if err != nil {
		return nil, err
	}
	for _, i := range missing {
		raw, err := r.drawOn(ctx, e, optionJSON, sizes[i].Width, sizes[i].Height)
		if err != nil {
			r.discard(e)
			return nil, err
		}
		svg, err := clean(raw, sizes[i].IDPrefix)
		if err != nil {
			r.release(e)
			return nil, err
		}
		r.keep(keys[i], svg)
		out[i] = svg
	}
	r.release(e)
	return out, nil
}

// drawOn is ECharts' own SVG, as it wrote it, drawn on e. After an error
// the engine is not to be used again.
func (r *Renderer) drawOn(ctx context.Context, e *engine, optionJSON string, width, height int) (string, error) {
	vm := e.vm
	vm.Set("optionJSON", optionJSON)
	vm.Set("chartWidth", width)
	vm.Set("chartHeight", height)
	// One watcher interrupts the engine at the time limit or when the
	// request goes away; it has returned before the engine is used again.
	stop, watched := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(watched)
		t := time.NewTimer(r.timeout)
		defer t.Stop()
		select {
		case <-t.C:
			vm.Interrupt(ErrTimeout)
		case <-ctx.Done():
			vm.Interrupt(ctx.Err())
		case <-stop:
		}
	}()
	v, err := vm.RunProgram(r.draw)
	close(stop)
	<-watched
	if err != nil {
		var ie *goja.InterruptedError
		if errors.As(err, &ie) {
			if cause, ok := ie.Value().(error); ok {
				return "", fmt.Errorf("chartsvg: render interrupted: %w", cause)
			}
		}
		return "", fmt.Errorf("chartsvg: render: %w", err)
	}
	s, ok := v.Export().(string)
	// An interrupt that landed just as the script ended must not stop the
	// engine's next render.
	vm.ClearInterrupt()
	vm.Set("optionJSON", goja.Undefined())
	if !ok {
		return "", errors.New("chartsvg: ECharts returned no SVG")
	}
	return s, nil
}

func (r *Renderer) cached(key string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	svg, ok := r.cache[key]
	return svg, ok
}

func (r *Renderer) keep(key, svg string) {
	if r.maxKeep == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.cache[key]; ok {
		return
	}
	for len(r.order) >= r.maxKeep {
		delete(r.cache, r.order[0])
		r.order = r.order[1:]
	}
	r.cache[key] = svg
	r.order = append(r.order, key)
}

func validPrefix(p string) bool {
	if p == "" || len(p) > 64 {
		return false
	}
	for _, c := range p {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

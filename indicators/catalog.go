package indicators

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
)

// Catalog holds every indicator definition, in a stable order: overview
// figures first, then the rest by id.
type Catalog struct {
	list []*Definition
	byID map[string]*Definition
}

// LoadCatalog reads every *.json definition in fsys.
func LoadCatalog(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	c := &Catalog{byID: make(map[string]*Definition)}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		d, err := decodeDefinition(data)
		if err != nil {
			return nil, fmt.Errorf("indicators: %s: %w", name, err)
		}
		if want := path.Base(name); want != d.ID+".json" {
			return nil, fmt.Errorf("indicators: %s: id %q must match the file name", name, d.ID)
		}
		c.list = append(c.list, d)
		c.byID[d.ID] = d
	}
	if len(c.list) == 0 {
		return nil, fmt.Errorf("indicators: no definitions found")
	}
	if err := c.checkRates(); err != nil {
		return nil, err
	}
	if err := c.checkRatios(); err != nil {
		return nil, err
	}
	sort.SliceStable(c.list, func(i, j int) bool {
		a, b := c.list[i], c.list[j]
		fa, fb := figureKey(a), figureKey(b)
		if fa != fb {
			return fa < fb
		}
		if a.Chart.Axis != b.Chart.Axis {
			return a.Chart.Axis < b.Chart.Axis // "left" before "right"
		}
		return a.ID < b.ID
	})
	return c, nil
}

// checkRates makes sure every rate names indicators that exist, in the
// right unit.
func (c *Catalog) checkRates() error {
	for _, d := range c.list {
		if d.Rate == nil {
			continue
		}
		if p, ok := c.byID[d.Rate.Population]; !ok || p.Unit != UnitCount {
			return fmt.Errorf("indicators: %s: rate population %q must be a count indicator", d.ID, d.Rate.Population)
		}
		if d.Rate.Published == "" {
			continue
		}
		if p, ok := c.byID[d.Rate.Published]; !ok || p.Unit != UnitRate {
			return fmt.Errorf("indicators: %s: published rate %q must be an indicator of unit rate", d.ID, d.Rate.Published)
		}
	}
	return nil
}

// checkRatios makes sure every ratio is a percentage or rate of counts
// that exist: a percentage of a count of the same things, a rate of a
// count per a population. A computed ratio reads nothing from a file.
func (c *Catalog) checkRatios() error {
	for _, d := range c.list {
		r := d.Ratio
		if r == nil {
			continue
		}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("indicators: %s: ratio: "+format, append([]any{d.ID}, args...)...)
		}
		if d.Unit != UnitPercent && d.Unit != UnitRate {
			return fail("only a percentage or a rate is a ratio, not a %s", d.Unit)
		}
		if len(r.Numerator) == 0 || r.Denominator == "" {
			return fail("a numerator and a denominator are required")
		}
		den, ok := c.byID[r.Denominator]
		if !ok || den.Unit != UnitCount {
			return fail("denominator %q must be a count indicator", r.Denominator)
		}
		seen := map[string]bool{}
		for _, n := range r.Numerator {
			num, ok := c.byID[n]
			switch {
			case !ok || num.Unit != UnitCount:
				return fail("numerator %q must be a count indicator", n)
			case n == d.ID || n == r.Denominator:
				return fail("numerator %q cannot be the indicator itself or its denominator", n)
			case seen[n]:
				return fail("numerator %q is named twice", n)
			case d.Unit == UnitRate && num.Rate != nil && num.Rate.Population != r.Denominator:
				return fail("a rate of %s is per %s, its population, not per %s", n, num.Rate.Population, r.Denominator)
			}
			seen[n] = true
		}
		if d.Unit == UnitRate && den.Rate != nil {
			return fail("denominator %q of a rate must be a population, not a count that has a rate of its own", r.Denominator)
		}
		if r.Computed && (len(d.EES) > 0 || d.Rate != nil) {
			return fail("a computed indicator is worked out from its numerator and denominator: it reads no EES column and has no rate of its own")
		}
	}
	return nil
}

func figureKey(d *Definition) int {
	if d.Chart.Figure == 0 {
		return 100
	}
	return d.Chart.Figure
}

// Default is the catalog of definitions shipped in this folder.
func Default() *Catalog { return defaultCatalog }

// All returns every definition.
func (c *Catalog) All() []*Definition { return c.list }

// Lookup finds a definition by id.
func (c *Catalog) Lookup(id string) (*Definition, bool) {
	d, ok := c.byID[id]
	return d, ok
}

// Figure is one chart of the overview: one indicator, or two sharing an
// x-axis (a count on the left axis, a percentage on the right).
type Figure struct {
	Number      int
	Definitions []*Definition
}

// Figures returns the overview figures in order.
func (c *Catalog) Figures() []Figure {
	var figs []Figure
	for _, d := range c.list {
		if d.Chart.Figure == 0 {
			continue
		}
		if n := len(figs); n > 0 && figs[n-1].Number == d.Chart.Figure {
			figs[n-1].Definitions = append(figs[n-1].Definitions, d)
			continue
		}
		figs = append(figs, Figure{Number: d.Chart.Figure, Definitions: []*Definition{d}})
	}
	return figs
}

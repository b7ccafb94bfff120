package indicators

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
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

// checkRatios makes sure every ratio divides count indicators that exist,
// none of them the indicator itself.
func (c *Catalog) checkRatios() error {
	for _, d := range c.list {
		if d.Ratio == nil {
			continue
		}
		for _, id := range append(slices.Clone(d.Ratio.Numerator), d.Ratio.Denominator) {
			if p, ok := c.byID[id]; !ok || p.Unit != UnitCount {
				return fmt.Errorf("indicators: %s: ratio part %q must be a count indicator", d.ID, id)
			}
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

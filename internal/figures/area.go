package figures

import (
	"context"
	"sort"
	"strings"

	"cptrends/indicators"
	"cptrends/internal/store"
)

// AreaChoice is one option of the area picker.
type AreaChoice struct {
	Code, Name string
}

// AreaGroup is an optgroup of the area picker.
type AreaGroup struct {
	Label   string
	Choices []AreaChoice
}

// AreaGroups lists England, the regions and every local authority with
// figures, the authorities grouped by region, each area once: a code that
// a boundary change only renamed is listed under its current code alone.
func (r *Reader) AreaGroups(ctx context.Context) ([]AreaGroup, error) {
	areas, err := r.Store.Areas(ctx)
	if err != nil {
		return nil, err
	}
	codes, err := r.Store.LACodes(ctx)
	if err != nil {
		return nil, err
	}
	regionNames := map[string]string{}
	groups := []AreaGroup{{Label: "Country"}, {Label: "Regions"}}
	byRegion := map[string][]AreaChoice{}
	for _, a := range areas {
		ch := AreaChoice{Code: a.Code, Name: a.Name}
		switch a.Level {
		case indicators.LevelNational:
			groups[0].Choices = append(groups[0].Choices, ch)
		case indicators.LevelRegional:
			regionNames[a.Code] = a.Name
			groups[1].Choices = append(groups[1].Choices, ch)
		default:
			if r.renamed(a.Code) {
				continue // its figures are its successor's
			}
			region := "Other"
			if c, ok := codes[a.Code]; ok {
				region = r.Areas.Region(c.RegionCode)
			}
			if _, _, created := r.Areas.Created(a.Code); !created {
				if change, gone := r.Areas.Replaced(a.Code); gone {
					ch.Name += " (to " + change.Period.Prev().String() + ")"
				}
			}
			byRegion[region] = append(byRegion[region], ch)
		}
	}
	var regions []string
	for rg := range byRegion {
		regions = append(regions, rg)
	}
	sort.Slice(regions, func(i, j int) bool { return name(regionNames, regions[i]) < name(regionNames, regions[j]) })
	for _, rg := range regions {
		groups = append(groups, AreaGroup{Label: "Local authorities in " + name(regionNames, rg), Choices: byRegion[rg]})
	}
	return groups, nil
}

// renamed reports whether code is an area's former code, replaced by a
// change of code alone: the same area, whose figures its successor joins.
func (r *Reader) renamed(code string) bool {
	change, ok := r.Areas.Replaced(code)
	return ok && change.Joined
}

// Current is the code an area's figures are shown under now: its
// successor's, where a boundary change only renamed it.
func (r *Reader) Current(code string) string {
	change, ok := r.Areas.Replaced(code)
	if !ok || !change.Joined {
		return code
	}
	for _, to := range change.To {
		if to.EarlierFigures == code {
			return to.Code
		}
	}
	return code
}

func name(names map[string]string, code string) string {
	if n, ok := names[code]; ok {
		return n
	}
	return code
}

// AreaContext is what a page says about an area besides its figures: its
// region, its statistical neighbours and any boundary change.
type AreaContext struct {
	Area       indicators.Geography       `json:"Area"`
	Region     *indicators.Geography      `json:"Region"`
	Neighbours []indicators.Geography     `json:"Neighbours"`
	Model      string                     `json:"Model"`   // the neighbour model used, named on the page
	NoModel    string                     `json:"NoModel"` // why an authority has no neighbours, if it has none
	Created    *indicators.BoundaryChange `json:"Created"`
	Replaced   *indicators.BoundaryChange `json:"Replaced"`
}

// NeighbourSet names the neighbour set a comparison uses, as every export
// of it says: "Statistical neighbours: <model> (<names, nearest first>)";
// "" for an area with none.
func (ac AreaContext) NeighbourSet() string {
	if len(ac.Neighbours) == 0 {
		return ""
	}
	names := make([]string, len(ac.Neighbours))
	for i, n := range ac.Neighbours {
		names[i] = n.Name
	}
	return "Statistical neighbours: " + ac.Model + " (" + strings.Join(names, ", ") + ")"
}

// NeighbourSet is the neighbour set of an indicator's comparison for an
// area, "" where the page shows no comparison (England, a count with no
// rate, an area with no neighbours).
func (r *Reader) NeighbourSet(ctx context.Context, def *indicators.Definition, geo indicators.Geography) (string, error) {
	if geo.Code == indicators.EnglandCode || !comparable(def) {
		return "", nil
	}
	ac, err := r.Context(ctx, geo)
	return ac.NeighbourSet(), err
}

// Context is an area's region, statistical neighbours and boundary changes.
func (r *Reader) Context(ctx context.Context, geo indicators.Geography) (AreaContext, error) {
	ac := AreaContext{Area: geo}
	if c, _, ok := r.Areas.Created(geo.Code); ok {
		ac.Created = &c
	}
	if c, ok := r.Areas.Replaced(geo.Code); ok {
		ac.Replaced = &c
	}
	if geo.Level != indicators.LevelLocal {
		return ac, nil
	}
	codes, err := r.Store.LACodes(ctx)
	if err != nil {
		return ac, err
	}
	me, ok := codes[geo.Code]
	if !ok {
		ac.NoModel = "cptrends does not know this authority's three-digit code, which the neighbour model uses."
		return ac, nil
	}
	if rg, err := r.Geography(ctx, r.Areas.Region(me.RegionCode)); err == nil {
		ac.Region = &rg
	}
	// The neighbour model names authorities by three-digit code; the latest
	// ONS code given with each is the one its figures are filed under.
	latest := map[string]store.LACode{}
	for _, c := range codes {
		if l, ok := latest[c.Old]; !ok || c.LastPeriod > l.LastPeriod {
			latest[c.Old] = c
		}
	}
	if latest[me.Old].New != geo.Code {
		ac.NoModel = "This authority no longer exists, so it has no statistical neighbours in the current model."
		return ac, nil
	}
	ns, err := r.Store.Neighbours(ctx, me.Old)
	if err != nil {
		return ac, err
	}
	if len(ns) == 0 {
		ac.NoModel = "This authority is not in the statistical neighbour model."
		return ac, nil
	}
	ac.Model = ns[0].Model
	for _, n := range ns {
		g := indicators.Geography{Code: n.Neighbour, Name: n.Neighbour, Level: indicators.LevelLocal}
		if c, ok := latest[n.Neighbour]; ok {
			g.Code, g.Name = c.New, c.Name
		}
		if g.Code == geo.Code {
			continue // an area is never its own comparator
		}
		ac.Neighbours = append(ac.Neighbours, g)
	}
	return ac, nil
}

// Geography finds the area named by an ONS code; England when none. A
// former code that a boundary change only renamed finds its successor.
func (r *Reader) Geography(ctx context.Context, code string) (indicators.Geography, error) {
	if code == "" || code == indicators.EnglandCode {
		return indicators.England, nil
	}
	if !indicators.ValidCode(code) {
		return indicators.Geography{}, indicators.Errorf(indicators.EINVALID, "%q is not an ONS geography code (a capital letter and eight digits).", code)
	}
	return r.Store.Geography(ctx, code)
}

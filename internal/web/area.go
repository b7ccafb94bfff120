package web

import (
	"context"
	"net/url"
	"sort"
	"strings"

	"cptrends/indicators"
	"cptrends/internal/store"

	"github.com/labstack/echo/v4"
)

// areaParam is the query parameter that carries the chosen area, so that
// the choice is in the address: shareable and bookmarkable. The API's
// "geography" is accepted too.
const areaParam = "area"

// requestArea is the area a page was asked for: England when none.
func (s *Server) requestArea(c echo.Context) (indicators.Geography, error) {
	code := c.QueryParam(areaParam)
	if code == "" {
		code = c.QueryParam("geography")
	}
	return s.geography(c.Request().Context(), code)
}

// areaQuery is the query string that keeps an area in links: "" for
// England, "?area=E09000012" otherwise.
func areaQuery(geo indicators.Geography) string {
	if geo.Code == "" || geo.Code == indicators.EnglandCode {
		return ""
	}
	return "?" + url.Values{areaParam: {geo.Code}}.Encode()
}

// areaSeries loads one indicator's series for an area. An area created by
// a boundary change shows its predecessor's figures before the change,
// with a break in series that explains it (or joined, where only the code
// changed), so that they are neither dropped nor silently joined.
func (s *Server) areaSeries(ctx context.Context, def *indicators.Definition, geo indicators.Geography) (indicators.Series, error) {
	if def.Ratio != nil && def.Ratio.Computed {
		// Its inputs carry the predecessor's figures; it takes their break.
		if change, succ, ok := knownAreas.Created(geo.Code); ok && succ.EarlierFigures != "" && !change.Joined {
			def = def.WithBreak(indicators.Break{Period: change.Period, Explanation: change.Explanation})
		}
		return s.computedSeries(ctx, def, geo, s.areaSeries)
	}
	obs, err := s.store.Observations(ctx, def.ID, geo.Code)
	if err != nil {
		return indicators.Series{}, err
	}
	change, succ, ok := knownAreas.Created(geo.Code)
	if !ok || succ.EarlierFigures == "" {
		return indicators.NewSeries(def, geo, obs), nil
	}
	earlier, err := s.store.Observations(ctx, def.ID, succ.EarlierFigures)
	if err != nil {
		return indicators.Series{}, err
	}
	name := succ.EarlierFigures
	for _, f := range change.From {
		if f.Code == succ.EarlierFigures {
			name = f.Name
		}
	}
	for _, o := range earlier {
		if !o.Period.Before(change.Period) {
			continue
		}
		o.Geography = geo
		o.Note = "Figure for " + name + " (" + succ.EarlierFigures + "), before " + change.Date + "."
		obs = append(obs, o)
	}
	if !change.Joined {
		def = def.WithBreak(indicators.Break{Period: change.Period, Explanation: change.Explanation})
	}
	return indicators.NewSeries(def, geo, obs), nil
}

// areaChoice is one option of the area picker.
type areaChoice struct {
	Code, Name string
}

// areaGroup is an optgroup of the area picker.
type areaGroup struct {
	Label   string
	Choices []areaChoice
}

// areaPicker lists England, the regions and every local authority with
// figures, the authorities grouped by region, for the area form.
func (s *Server) areaPicker(ctx context.Context) ([]areaGroup, error) {
	areas, err := s.store.Areas(ctx)
	if err != nil {
		return nil, err
	}
	codes, err := s.store.LACodes(ctx)
	if err != nil {
		return nil, err
	}
	regionNames := map[string]string{}
	groups := []areaGroup{{Label: "Country"}, {Label: "Regions"}}
	byRegion := map[string][]areaChoice{}
	for _, a := range areas {
		ch := areaChoice{Code: a.Code, Name: a.Name}
		switch a.Level {
		case indicators.LevelNational:
			groups[0].Choices = append(groups[0].Choices, ch)
		case indicators.LevelRegional:
			regionNames[a.Code] = a.Name
			groups[1].Choices = append(groups[1].Choices, ch)
		default:
			region := "Other"
			if c, ok := codes[a.Code]; ok {
				region = knownAreas.Region(c.RegionCode)
			}
			if _, _, created := knownAreas.Created(a.Code); !created {
				if change, gone := knownAreas.Replaced(a.Code); gone {
					ch.Name += " (to " + change.Period.Prev().String() + ")"
				}
			}
			byRegion[region] = append(byRegion[region], ch)
		}
	}
	var regions []string
	for r := range byRegion {
		regions = append(regions, r)
	}
	sort.Slice(regions, func(i, j int) bool { return name(regionNames, regions[i]) < name(regionNames, regions[j]) })
	for _, r := range regions {
		groups = append(groups, areaGroup{Label: "Local authorities in " + name(regionNames, r), Choices: byRegion[r]})
	}
	return groups, nil
}

func name(names map[string]string, code string) string {
	if n, ok := names[code]; ok {
		return n
	}
	return code
}

// areaContext is what a page says about an area besides its figures: its
// region, its statistical neighbours and any boundary change.
type areaContext struct {
	Area       indicators.Geography
	Region     *indicators.Geography
	Neighbours []indicators.Geography
	Model      string // the neighbour model used, named on the page
	NoModel    string // why an authority has no neighbours, if it has none
	Created    *indicators.BoundaryChange
	Replaced   *indicators.BoundaryChange
}

// NeighbourSet names the neighbour set a comparison uses, as every export
// of it says: "Statistical neighbours: <model> (<names, nearest first>)";
// "" for an area with none.
func (ac areaContext) NeighbourSet() string {
	if len(ac.Neighbours) == 0 {
		return ""
	}
	names := make([]string, len(ac.Neighbours))
	for i, n := range ac.Neighbours {
		names[i] = n.Name
	}
	return "Statistical neighbours: " + ac.Model + " (" + strings.Join(names, ", ") + ")"
}

// neighbourSet is the neighbour set of an indicator's comparison for an
// area, "" where the page shows no comparison (England, a count with no
// rate, an area with no neighbours).
func (s *Server) neighbourSet(ctx context.Context, def *indicators.Definition, geo indicators.Geography) (string, error) {
	if geo.Code == indicators.EnglandCode || !(def.IsPercent() || def.IsRate() || def.Rate != nil) {
		return "", nil
	}
	ac, err := s.areaContext(ctx, geo)
	return ac.NeighbourSet(), err
}

func (s *Server) areaContext(ctx context.Context, geo indicators.Geography) (areaContext, error) {
	ac := areaContext{Area: geo}
	if c, _, ok := knownAreas.Created(geo.Code); ok {
		ac.Created = &c
	}
	if c, ok := knownAreas.Replaced(geo.Code); ok {
		ac.Replaced = &c
	}
	if geo.Level != indicators.LevelLocal {
		return ac, nil
	}
	codes, err := s.store.LACodes(ctx)
	if err != nil {
		return ac, err
	}
	me, ok := codes[geo.Code]
	if !ok {
		ac.NoModel = "cptrends does not know this authority's three-digit code, which the neighbour model uses."
		return ac, nil
	}
	if rg, err := s.geography(ctx, knownAreas.Region(me.RegionCode)); err == nil {
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
	ns, err := s.store.Neighbours(ctx, me.Old)
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
		ac.Neighbours = append(ac.Neighbours, g)
	}
	return ac, nil
}

// knownAreas is the boundary changes and sub-regions shipped with the
// indicator definitions.
var knownAreas = indicators.DefaultAreas()

// areaPickerView is the area form: a select of every area, grouped, that
// reloads the same page with ?area= in its address.
type areaPickerView struct {
	Action  string
	Current indicators.Geography
	Groups  []areaGroup
}

func (s *Server) picker(ctx context.Context, action string, geo indicators.Geography) (areaPickerView, error) {
	groups, err := s.areaPicker(ctx)
	return areaPickerView{Action: action, Current: geo, Groups: groups}, err
}

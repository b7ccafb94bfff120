package indicators

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
)

//go:embed areas/boundary_changes.json
var areaFiles embed.FS

// BoundaryChange is a reorganisation of local authorities: the areas in
// From were replaced, from Period on, by those in To. Unless Joined (the
// same area under a new code), figures either side are not comparable.
type BoundaryChange struct {
	Period      Period      `json:"period"`
	Date        string      `json:"date"`
	Summary     string      `json:"summary"`
	Explanation string      `json:"explanation"`
	Joined      bool        `json:"joined,omitempty"`
	From        []AreaRef   `json:"from"`
	To          []Successor `json:"to"`
}

// AreaRef names an area by its ONS code.
type AreaRef struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Successor is an area a change created. EarlierFigures, when set, is the
// predecessor whose figures a chart shows before the change, across a
// break (or joined, for a change of code alone).
type Successor struct {
	AreaRef
	EarlierFigures string `json:"earlier_figures,omitempty"`
}

// SubRegion is an area the department's files give as a local authority's
// region that is itself part of one of the nine regions (Inner London).
type SubRegion struct {
	AreaRef
	Region string `json:"region"`
}

// Areas is what cptrends knows about areas beyond their figures.
type Areas struct {
	SubRegions []SubRegion      `json:"sub_regions"`
	Changes    []BoundaryChange `json:"changes"`
}

var defaultAreas = mustLoadAreas()

func mustLoadAreas() *Areas {
	b, err := areaFiles.ReadFile("areas/boundary_changes.json")
	if err != nil {
		panic(err)
	}
	a, err := DecodeAreas(b)
	if err != nil {
		panic(err)
	}
	return a
}

// DefaultAreas is the boundary changes and sub-regions shipped in areas/.
func DefaultAreas() *Areas { return defaultAreas }

// DecodeAreas reads a boundary changes file strictly.
func DecodeAreas(data []byte) (*Areas, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var a Areas
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("indicators: boundary changes: %w", err)
	}
	for _, c := range a.Changes {
		if c.Period.IsZero() || c.Explanation == "" || len(c.From) == 0 || len(c.To) == 0 {
			return nil, fmt.Errorf("indicators: boundary change %q: period, explanation, from and to are required", c.Summary)
		}
		for _, s := range c.To {
			if s.EarlierFigures != "" && !c.hasFrom(s.EarlierFigures) {
				return nil, fmt.Errorf("indicators: boundary change %q: %s's earlier figures %s are not among the areas replaced", c.Summary, s.Name, s.EarlierFigures)
			}
		}
	}
	return &a, nil
}

func (c BoundaryChange) hasFrom(code string) bool {
	for _, f := range c.From {
		if f.Code == code {
			return true
		}
	}
	return false
}

// Created returns the change that created the area code, if any, and the
// area as that change names it.
func (a *Areas) Created(code string) (BoundaryChange, Successor, bool) {
	for _, c := range a.Changes {
		for _, s := range c.To {
			if s.Code == code {
				return c, s, true
			}
		}
	}
	return BoundaryChange{}, Successor{}, false
}

// Replaced returns the change that replaced the area code, if any.
func (a *Areas) Replaced(code string) (BoundaryChange, bool) {
	for _, c := range a.Changes {
		if c.hasFrom(code) {
			return c, true
		}
	}
	return BoundaryChange{}, false
}

// Region returns the region (one of the nine) that a region code given
// with a local authority stands for: itself, or the region a sub-region
// is part of.
func (a *Areas) Region(code string) string {
	for _, s := range a.SubRegions {
		if s.Code == code {
			return s.Region
		}
	}
	return code
}

// IsSubRegion reports whether code is a sub-region (Inner London).
func (a *Areas) IsSubRegion(code string) bool { return a.Region(code) != code }

// WithBreak returns a copy of d with one more break in series, for an
// area whose figures change definition where d's do not.
func (d *Definition) WithBreak(b Break) *Definition {
	c := *d
	c.Breaks = append(append([]Break(nil), d.Breaks...), b)
	return &c
}

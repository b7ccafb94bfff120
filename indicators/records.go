package indicators

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The plain records of uploads, reference codes and accounts, shared by
// the package that reads files (ingest) and the one that keeps them
// (store), so that neither needs the other for its types.

// File describes one file of an upload.
type File struct {
	Name   string
	SHA256 string
	Size   int64
	Rows   int
}

// NewUpload is a validated set of observations, from one or more files, to
// be written as one upload.
type NewUpload struct {
	By           string
	Files        []File
	Observations []Observation
	// LACodes are the local authority codes the files gave, written with
	// the upload and counted only while it is committed.
	LACodes []LACode
}

// Change kinds.
const (
	Added   = "added"
	Revised = "revised"
)

// Change is one cell an upload adds or revises. Old is the value it
// replaces, for a revision.
type Change struct {
	Kind string
	New  Observation
	Old  *Observation
}

// Upload is one upload in the history.
type Upload struct {
	ID           int64
	Status       string
	CreatedAt    time.Time
	CreatedBy    string
	CommittedAt  time.Time
	RolledBackAt time.Time
	RolledBackBy string
	Added        int
	Revised      int
	Unchanged    int
	Files        []File
}

// LACode is one local authority's codes and region, as the department's
// files give them.
type LACode struct {
	New        string // ONS code: E06..., E08..., E09..., E10...
	Old        string // three-digit code: 204
	Name       string
	RegionCode string
	RegionName string
	LastPeriod Period
}

// Check returns why c cannot be recorded, with the EES column at fault,
// or "" when it can be: its codes must be ONS codes (a region's E12 or
// E13, London's inner and outer parts), its old code three digits, its
// names one line of text of no more than MaxNameLength characters, and
// its year a reporting year.
func (c LACode) Check() (column, msg string) {
	switch {
	case !ValidCode(c.New):
		return "new_la_code", fmt.Sprintf("the new_la_code %q is not an ONS geography code", short(c.New))
	case len(c.Old) != 3 || strings.Trim(c.Old, "0123456789") != "":
		return "old_la_code", fmt.Sprintf("the old_la_code %q is not a three-digit code", short(c.Old))
	case !ValidCode(c.RegionCode) || !strings.HasPrefix(c.RegionCode, "E12") && !strings.HasPrefix(c.RegionCode, "E13"):
		return "region_code", fmt.Sprintf("the region_code %q is not the ONS code of an English region (E12... or E13...)", short(c.RegionCode))
	case c.LastPeriod == 0:
		return "time_period", "the time_period is not a reporting year"
	}
	for _, t := range []struct{ what, text string }{{"la_name", c.Name}, {"region_name", c.RegionName}} {
		if t.text == "" {
			return t.what, "the " + t.what + " is empty"
		}
		if !utf8.ValidString(t.text) || strings.ContainsFunc(t.text, unicode.IsControl) {
			return t.what, "the " + t.what + " contains a line break or another control character"
		}
		if utf8.RuneCountInString(t.text) > MaxNameLength {
			return t.what, fmt.Sprintf("the %s is longer than %d characters", t.what, MaxNameLength)
		}
	}
	return "", ""
}

// short cuts s to 40 characters for a message.
func short(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// Neighbour is one of an authority's statistical neighbours in a model,
// by three-digit code; Position 1 is the nearest.
type Neighbour struct {
	Model     string
	Old       string
	Position  int
	Neighbour string
	Closeness string
}

// Roles, from least to most trusted.
const (
	RoleViewer  = "viewer"
	RoleAnalyst = "analyst"
	RoleAdmin   = "admin"
)

// ValidRole reports whether role is one of the three roles.
func ValidRole(role string) bool {
	return role == RoleViewer || role == RoleAnalyst || role == RoleAdmin
}

// Summary says what an upload changed, or would change.
type Summary struct {
	UploadID  int64
	Added     int
	Revised   int
	Unchanged int
	Changes   []Change
	// AddedGroups sums up the cells added, by indicator and geographic
	// level, in that order.
	AddedGroups []AddedGroup
	// Groups sums up every cell the upload gives (added, revised and
	// unchanged), by indicator and geographic level.
	Groups []AddedGroup
}

// AddedGroup is what an upload adds to one indicator at one geographic
// level: so many values for so many areas, from one year to another. In
// Summary.Groups, Revised and Unchanged count the rest of what it gives
// there, Areas every area it gives a value for, and First and Last span
// every year.
type AddedGroup struct {
	Indicator          string
	Level              string
	Values             int
	Revised, Unchanged int
	Areas              int
	First, Last        Period
}

// StreamUpload describes an upload whose observations arrive one by one,
// as a large file is read, instead of all at once in a NewUpload.
type StreamUpload struct {
	By     string
	DryRun bool
	// OnRevision, if set, is told of every cell the upload revises, in
	// the order written. It is called from the goroutine that writes to
	// the database, never at the same time as itself. The Summary that
	// the store's ImportStream returns has no Changes: an upload of a million values
	// would otherwise hold them all in memory. Its AddedGroups sum up
	// what it adds.
	OnRevision func(Change)
	// Pending stages the upload for preview instead of
	// committing it: it is not part of the current data until it is committed.
	Pending bool
	// LACodes, if set, is called once fill has returned without error, for
	// the local authority codes the files gave, to be written with the
	// upload.
	LACodes func() []LACode
}

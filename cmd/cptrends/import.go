package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/user"
	"sort"
	"strings"

	"cptrends/indicators"
	"cptrends/internal/ingest"
	"cptrends/internal/store"
)

func (m *Main) importFiles(ctx context.Context, args []string) error {
	fs, dbPath := m.flags("import")
	dryRun := fs.Bool("dry-run", false, "validate and print the summary; write nothing")
	maxMB := fs.Int64("max-file-mb", 1024, "largest file accepted, in MB")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return &exitError{code: 2, msg: "import: name at least one CSV file"}
	}
	var inputs []ingest.Input
	// A file that cannot be opened is a problem like any other: reported as
	// FILE:1:-: message, with the problems of the other files.
	var unopened []ingest.Problem
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			unopened = append(unopened, ingest.Problem{File: name, Line: 1, Column: ingest.NoColumn,
				Message: fmt.Sprintf("the file cannot be opened: %v", unwrapPathError(err))})
			continue
		}
		defer f.Close()
		var size int64
		if fi, err := f.Stat(); err == nil {
			size = fi.Size()
		}
		inputs = append(inputs, ingest.Input{Name: name, R: withProgress(f, m.Stderr, name, size)})
	}
	res := ingest.Read(indicators.Default(), ingest.Options{MaxFileSize: *maxMB << 20}, inputs...)
	if len(unopened) > 0 || !res.OK() {
		for _, p := range append(unopened, res.Problems...) {
			fmt.Fprintln(m.Stderr, p.Error())
		}
		n := len(unopened) + len(res.Problems) + res.Omitted
		if res.Omitted > 0 {
			fmt.Fprintf(m.Stderr, "... and %d more problems\n", res.Omitted)
		}
		return &exitError{code: 1, msg: fmt.Sprintf("import refused: %d %s; nothing was written", n, plural(n, "problem", "problems"))}
	}

	st, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := st.Import(ctx, store.NewUpload{By: cliUser(), Files: res.Files, Observations: res.Observations}, *dryRun)
	if err != nil {
		return err
	}
	printSummary(m.Stdout, res, sum, *dryRun)
	return nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// cliUser names who ran an import from the command line, for the history.
func cliUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "command line (" + u.Username + ")"
	}
	return "command line"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// printSummary says what an upload added, revised and left unchanged.
func printSummary(w io.Writer, res *ingest.Result, sum store.Summary, dryRun bool) {
	rows := 0
	for _, f := range res.Files {
		rows += f.Rows
	}
	fmt.Fprintf(w, "checked %d %s, %d %s\n", len(res.Files), plural(len(res.Files), "file", "files"), rows, plural(rows, "row", "rows"))
	for _, name := range sortedKeys(res.Ignored) {
		fmt.Fprintf(w, "%s: ignored columns that feed no indicator: %s\n", name, strings.Join(res.Ignored[name], ", "))
	}
	// Added values, grouped by indicator and geography level, so that a
	// release with every local authority still reads in a few lines.
	type group struct {
		values      int
		areas       map[string]bool
		first, last indicators.Period
	}
	added := map[string]*group{}
	for _, c := range sum.Changes {
		if c.Kind != store.Added {
			continue
		}
		k := c.New.Indicator + " (" + c.New.Geography.Level + ")"
		g, ok := added[k]
		if !ok {
			g = &group{areas: map[string]bool{}, first: c.New.Period, last: c.New.Period}
			added[k] = g
		}
		g.values++
		g.areas[c.New.Geography.Code] = true
		g.first, g.last = min(g.first, c.New.Period), max(g.last, c.New.Period)
	}
	for _, k := range sortedKeys(added) {
		g := added[k]
		years := g.first.String()
		if g.last != g.first {
			years += " to " + g.last.String()
		}
		fmt.Fprintf(w, "  add     %s: %d %s for %d %s, %s\n", k, g.values, plural(g.values, "value", "values"),
			len(g.areas), plural(len(g.areas), "area", "areas"), years)
	}
	// Revisions one a line, each with the value it replaces.
	const maxRevisions = 50
	shownRevisions := 0
	for _, c := range sum.Changes {
		if c.Kind != store.Revised {
			continue
		}
		if shownRevisions++; shownRevisions > maxRevisions {
			continue
		}
		fmt.Fprintf(w, "  revise  %s %s %s: %s\n", c.New.Indicator, c.New.Geography.Code, c.New.Period, revision(*c.Old, c.New))
	}
	if shownRevisions > maxRevisions {
		fmt.Fprintf(w, "  ... and %d more revisions\n", shownRevisions-maxRevisions)
	}
	verb := fmt.Sprintf("upload %d", sum.UploadID)
	if dryRun {
		verb = "dry run (nothing written)"
	}
	fmt.Fprintf(w, "%s: %d added, %d revised, %d unchanged\n", verb, sum.Added, sum.Revised, sum.Unchanged)
}

// revision describes a revised cell: its old and new value, and what
// else changed, so that a revision of only the note or the area name does
// not read as "632830 -> 632830" with no reason.
func revision(was, now indicators.Observation) string {
	s := shown(was) + " -> " + shown(now)
	var also []string
	if was.Note != now.Note {
		also = append(also, "note changed")
	}
	if was.Geography.Name != now.Geography.Name {
		also = append(also, fmt.Sprintf("area name %q -> %q", was.Geography.Name, now.Geography.Name))
	}
	if len(also) > 0 {
		s += " (" + strings.Join(also, "; ") + ")"
	}
	return s
}

func shown(o indicators.Observation) string {
	if o.Value == nil {
		return string(o.Symbol)
	}
	return fmt.Sprintf("%g", *o.Value)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

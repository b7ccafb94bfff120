package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"runtime/debug"
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
	opts := ingest.Options{MaxFileSize: *maxMB << 20}
	refuse := func(res *ingest.Result) error {
		for _, p := range append(unopened, res.Problems...) {
			fmt.Fprintln(m.Stderr, p.Error())
		}
		n := len(unopened) + len(res.Problems) + res.Omitted
		if res.Omitted > 0 {
			fmt.Fprintf(m.Stderr, "... and %d more problems\n", res.Omitted)
		}
		return &exitError{code: 1, msg: fmt.Sprintf("import refused: %d %s; nothing was written", n, plural(n, "problem", "problems"))}
	}
	if len(unopened) > 0 {
		// Refused whatever the other files hold: check them for their
		// problems without touching the database.
		res, _ := ingest.Stream(indicators.Default(), opts, func(indicators.Observation) error { return nil }, inputs...)
		return refuse(res)
	}

	// Most of what an import holds is the set of cells already read (some
	// 30 MB for a million values), the chunks of observations on their way
	// to the database, and SQLite's page cache (16 MB, outside the Go
	// heap). A soft limit keeps the garbage collector from letting the heap
	// grow to twice what is live, so that a million-row import peaks at
	// some 170 MB rather than 260 MB, for some 10% more time.
	debug.SetMemoryLimit(importMemoryLimit)

	_, statErr := os.Stat(*dbPath)
	st, err := store.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	// A file that names authorities by three-digit code alone (LAIT's) is
	// read by the codes recorded so far.
	known, err := st.LACodes(ctx)
	if err != nil {
		return err
	}
	for _, c := range known {
		opts.LACodes = append(opts.LACodes, c)
	}
	// The files are read and written in one pass: each sound observation
	// goes into the open transaction as it is read, and the transaction is
	// rolled back if any problem turns up, so memory does not grow with the
	// file and the database is written all or nothing. The local
	// authorities' codes and regions the EES files give are written with
	// the upload, in its transaction, so that an authority that appears in
	// a later release is grouped under its region and compared with its
	// region and neighbours, for as long as the upload stands.
	var changes changeLog
	res, sum, err := ingest.Import(ctx, st, indicators.Default(), opts,
		store.StreamUpload{By: cliUser(), DryRun: *dryRun, OnRevision: changes.add}, ingest.Files(inputs...))
	// Leave no new database behind a refused import or a dry run.
	removeNew := func() {
		if !store.IsPostgres(*dbPath) && os.IsNotExist(statErr) {
			st.Close()
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(*dbPath + suffix)
			}
		}
	}
	if errors.Is(err, ingest.ErrRefused) {
		removeNew()
		return refuse(res)
	}
	if err != nil {
		return err
	}
	if *dryRun {
		removeNew()
	}
	printSummary(m.Stdout, res, sum, &changes, *dryRun)
	return nil
}

// importMemoryLimit is the soft limit on the Go heap of an import.
const importMemoryLimit = 128 << 20

// changeLog keeps the first revisions of an upload, for the summary, and
// counts the rest, so that an upload revising a million values is summed
// up in a few lines without holding them all.
type changeLog struct {
	revisions []store.Change
	revised   int
}

// maxRevisions is how many revisions the summary shows one a line.
const maxRevisions = 50

func (l *changeLog) add(c store.Change) {
	if l.revised++; l.revised <= maxRevisions {
		l.revisions = append(l.revisions, c)
	}
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
func printSummary(w io.Writer, res *ingest.Result, sum store.Summary, changes *changeLog, dryRun bool) {
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
	for _, g := range sum.AddedGroups {
		years := g.First.String()
		if g.Last != g.First {
			years += " to " + g.Last.String()
		}
		fmt.Fprintf(w, "  add     %s (%s): %d %s for %d %s, %s\n", g.Indicator, g.Level, g.Values, plural(g.Values, "value", "values"),
			g.Areas, plural(g.Areas, "area", "areas"), years)
	}
	// Revisions one a line, each with the value it replaces.
	for _, c := range changes.revisions {
		fmt.Fprintf(w, "  revise  %s %s %s: %s\n", c.New.Indicator, c.New.Geography.Code, c.New.Period, revision(*c.Old, c.New))
	}
	if changes.revised > maxRevisions {
		fmt.Fprintf(w, "  ... and %d more revisions\n", changes.revised-maxRevisions)
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

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
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return &exitError{code: 2, msg: "import: name at least one CSV file"}
	}
	var inputs []ingest.Input
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return &exitError{code: 1, msg: fmt.Sprintf("%s:1:%s: the file cannot be opened: %v", name, ingest.NoColumn, unwrapPathError(err))}
		}
		defer f.Close()
		inputs = append(inputs, ingest.Input{Name: name, R: f})
	}
	res := ingest.Read(indicators.Default(), ingest.Options{}, inputs...)
	if !res.OK() {
		for _, p := range res.Problems {
			fmt.Fprintln(m.Stderr, p.Error())
		}
		n := len(res.Problems) + res.Omitted
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
	// Added periods, grouped by indicator and area.
	added := map[string][]string{}
	for _, c := range sum.Changes {
		if c.Kind == store.Added {
			k := c.New.Indicator + " " + c.New.Geography.Code
			added[k] = append(added[k], c.New.Period.String())
		}
	}
	for _, k := range sortedKeys(added) {
		ps := added[k]
		sort.Strings(ps)
		fmt.Fprintf(w, "  add     %s: %s\n", k, strings.Join(ps, ", "))
	}
	for _, c := range sum.Changes {
		if c.Kind == store.Revised {
			fmt.Fprintf(w, "  revise  %s %s %s: %s -> %s\n", c.New.Indicator, c.New.Geography.Code, c.New.Period,
				shown(*c.Old), shown(c.New))
		}
	}
	verb := fmt.Sprintf("upload %d", sum.UploadID)
	if dryRun {
		verb = "dry run (nothing written)"
	}
	fmt.Fprintf(w, "%s: %d added, %d revised, %d unchanged\n", verb, sum.Added, sum.Revised, sum.Unchanged)
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

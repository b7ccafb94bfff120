package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"sort"

	"cptrends/indicators"
)

// LoadBundled loads the figures shipped in the binary (every *.csv at the
// top of fsys) into a database that has never had an upload. Files in the
// department's EES layout (an older release, with every region and local
// authority) are loaded first, as one upload; the native files (the latest
// national release) after them, as a second, so that where the latest
// release revised a national figure the revision is in force and the
// older figure stays in the history, as it happened.
func LoadBundled(ctx context.Context, st Store, cat *indicators.Catalog, fsys fs.FS, by string) error {
	has, err := st.HasUploads(ctx)
	if err != nil || has {
		return err
	}
	names, err := fs.Glob(fsys, "*.csv")
	if err != nil {
		return err
	}
	files := map[bool][]Input{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		ees := isEES(b)
		files[ees] = append(files[ees], Input{Name: name, R: bytes.NewReader(b)})
	}
	var ups []indicators.NewUpload
	for _, ees := range []bool{true, false} {
		if len(files[ees]) == 0 {
			continue
		}
		res := Read(cat, Options{}, files[ees]...)
		if !res.OK() {
			return fmt.Errorf("bundled data refused: %v", res.Problems[0])
		}
		ups = append(ups, indicators.NewUpload{By: by, Files: res.Files, Observations: res.Observations, LACodes: res.LACodes})
	}
	// Both uploads or neither: a start stopped half way must not leave a
	// database that has an upload (so is never loaded again) but lacks the
	// latest release.
	return st.ImportAll(ctx, ups)
}

// LoadReference loads the local authority codes of every EES file at the
// top of fsys and each neighbour model named in models, when the database
// has no neighbour model yet. It runs at every start, so that a database
// made before neighbours existed gets them too.
func LoadReference(ctx context.Context, st Store, fsys fs.FS, models map[string]string) error {
	has, err := st.HasNeighbours(ctx)
	if err != nil || has {
		return err
	}
	names, err := fs.Glob(fsys, "*.csv")
	if err != nil {
		return err
	}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		if !isEES(b) {
			continue
		}
		codes, err := ReadLACodes(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := st.SaveLACodes(ctx, codes); err != nil {
			return err
		}
	}
	files := make([]string, 0, len(models))
	for f := range models {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, file := range files {
		b, err := fs.ReadFile(fsys, file)
		if err != nil {
			return err
		}
		rows, err := ReadNeighbours(models[file], bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		if err := st.ReplaceNeighbours(ctx, models[file], rows); err != nil {
			return err
		}
	}
	return nil
}

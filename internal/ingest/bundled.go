package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"sort"

	"cptrends/indicators"
)

// LoadBundled loads the figures shipped in the binary into a database that
// has never had an upload, one upload per release in the order the
// releases were published, so that where a later release revised a figure
// the revision is in force and the earlier figure stays in the history, as
// it happened. Each folder named by a year (2024/, 2025/) is one release:
// its files in the department's EES layout first, then files that name
// authorities by their three-digit code alone (LAIT's), which the EES
// files' rows map to ONS codes. Files in the EES layout at the top of fsys
// (the population estimates) go with the first release; the native files
// at the top (the latest national series) come last, as their own upload.
func LoadBundled(ctx context.Context, st Store, cat *indicators.Catalog, fsys fs.FS, by string) error {
	has, err := st.HasUploads(ctx)
	if err != nil || has {
		return err
	}
	groups, err := bundledUploads(fsys)
	if err != nil {
		return err
	}
	var ups []indicators.NewUpload
	for _, inputs := range groups {
		res := Read(cat, Options{}, inputs...)
		if !res.OK() {
			return fmt.Errorf("bundled data refused: %v", res.Problems[0])
		}
		ups = append(ups, indicators.NewUpload{By: by, Files: res.Files, Observations: res.Observations, LACodes: res.LACodes})
	}
	// All uploads or none: a start stopped half way must not leave a
	// database that has an upload (so is never loaded again) but lacks the
	// latest release.
	return st.ImportAll(ctx, ups)
}

// bundledUploads groups the bundled files into uploads, in the order they
// are loaded (see LoadBundled).
func bundledUploads(fsys fs.FS) ([][]Input, error) {
	read := func(names []string) (ees, other []Input, err error) {
		sort.Strings(names)
		for _, name := range names {
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, nil, err
			}
			in := Input{Name: name, R: bytes.NewReader(b)}
			if isEES(b) {
				ees = append(ees, in)
			} else {
				other = append(other, in)
			}
		}
		return ees, other, nil
	}
	top, err := fs.Glob(fsys, "*.csv")
	if err != nil {
		return nil, err
	}
	topEES, native, err := read(top)
	if err != nil {
		return nil, err
	}
	releases, err := bundledReleases(fsys)
	if err != nil {
		return nil, err
	}
	var groups [][]Input
	for i, dir := range releases {
		names, err := fs.Glob(fsys, dir+"/*.csv")
		if err != nil {
			return nil, err
		}
		ees, other, err := read(names)
		if err != nil {
			return nil, err
		}
		group := append(ees, other...)
		if i == 0 {
			group = append(topEES, group...)
		}
		groups = append(groups, group)
	}
	if len(releases) == 0 && len(topEES) > 0 {
		groups = append(groups, topEES)
	}
	if len(native) > 0 {
		groups = append(groups, native)
	}
	return groups, nil
}

// bundledReleases lists the release folders of fsys (named by a year), in
// order.
func bundledReleases(fsys fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && len(e.Name()) == 4 && digitsOnly(e.Name()) {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// LoadReference loads the local authority codes of every EES file at the
// top of fsys and in its release folders and each neighbour model named in models, when the database
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
	releases, err := bundledReleases(fsys)
	if err != nil {
		return err
	}
	for _, dir := range releases {
		more, err := fs.Glob(fsys, dir+"/*.csv")
		if err != nil {
			return err
		}
		names = append(names, more...)
	}
	var all []indicators.LACode
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
		all = append(all, codes...)
	}
	// One transaction for every file's codes (the later year wins).
	if err := st.SaveLACodes(ctx, all); err != nil {
		return err
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

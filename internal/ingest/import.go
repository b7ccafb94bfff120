package ingest

import (
	"context"
	"errors"

	"cptrends/indicators"
)

// Store is what ingest writes to: the database (package store), named
// here by what it does so that ingest needs nothing else of it.
type Store interface {
	HasUploads(ctx context.Context) (bool, error)
	// ImportStream writes an upload in one transaction with the
	// observations fill hands to add, or nothing if fill fails.
	ImportStream(ctx context.Context, up indicators.StreamUpload, fill func(add func(indicators.Observation) error) ([]indicators.File, error)) (indicators.Summary, error)
	// ImportAll writes several uploads, in order, in one transaction.
	ImportAll(ctx context.Context, ups []indicators.NewUpload) error
	HasNeighbours(ctx context.Context) (bool, error)
	SaveLACodes(ctx context.Context, codes []indicators.LACode) error
	ReplaceNeighbours(ctx context.Context, model string, rows []indicators.Neighbour) error
}

// ErrRefused is Import's error when the files have problems; the Result
// lists them, and nothing was written.
var ErrRefused = errors.New("ingest: the files were refused")

// Import reads the files next gives, validating every cell, and writes
// them as one upload (up says whose, and whether it is a dry run or a
// preview) with the local authority codes they give, in one transaction,
// as they are read: memory does not grow with the files, and either all
// of them are written or, if any has a problem, none. It is how the
// command line and the upload form load files.
func Import(ctx context.Context, st Store, cat *indicators.Catalog, opts Options, up indicators.StreamUpload, next func() (Input, bool, error)) (*Result, indicators.Summary, error) {
	var res *Result
	up.LACodes = func() []indicators.LACode { return res.LACodes }
	sum, err := st.ImportStream(ctx, up, func(add func(indicators.Observation) error) ([]indicators.File, error) {
		var err error
		res, err = StreamEach(cat, opts, add, next)
		if err == nil && !res.OK() {
			err = ErrRefused
		}
		return res.Files, err
	})
	if res == nil {
		res = &Result{Ignored: map[string][]string{}}
	}
	return res, sum, err
}

// Files gives inputs one after another, as Import's next.
func Files(inputs ...Input) func() (Input, bool, error) {
	i := 0
	return func() (Input, bool, error) {
		if i == len(inputs) {
			return Input{}, false, nil
		}
		i++
		return inputs[i-1], true, nil
	}
}

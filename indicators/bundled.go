package indicators

import (
	"embed"
	"io/fs"
)

//go:embed data/*.csv data/2024/*.csv data/2025/*.csv data/reference/*.csv
var bundled embed.FS

// Bundled returns the data shipped with cptrends (see data/SOURCES.md),
// loaded into every new database: every *.csv at its top level and in the
// release folders (2024/, 2025/) is published figures; reference/ holds the
// statistical neighbour model.
func Bundled() fs.FS {
	sub, err := fs.Sub(bundled, "data")
	if err != nil {
		panic(err)
	}
	return sub
}

// NeighbourModels names the statistical neighbour model files in Bundled,
// each with the name pages give it.
var NeighbourModels = map[string]string{
	"reference/sn_model_2025_wide.csv": "DfE statistical neighbours, 2025 model",
}

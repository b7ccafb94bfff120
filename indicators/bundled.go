package indicators

import (
	"embed"
	"io/fs"
)

//go:embed data/*.csv
var bundled embed.FS

// Bundled returns the national series shipped with cptrends (see
// data/SOURCES.md), loaded into every new database.
func Bundled() fs.FS {
	sub, err := fs.Sub(bundled, "data")
	if err != nil {
		panic(err)
	}
	return sub
}

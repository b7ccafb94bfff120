// Package indicators is the domain of cptrends: indicator definitions (one
// JSON file each in this folder), reporting years, symbols, geographies,
// observations and the year-on-year series built from them. It imports
// nothing but the standard library.
package indicators

import "embed"

//go:embed *.json
var definitionFiles embed.FS

var defaultCatalog = mustLoad()

func mustLoad() *Catalog {
	c, err := LoadCatalog(definitionFiles)
	if err != nil {
		panic(err)
	}
	return c
}

// Package assets holds the files the browser fetches: our scripts in js/ and
// the files that `make assets` builds into vendor/ from the npm packages
// pinned in package-lock.json: app.css, echarts.custom.min.js (ECharts with
// only what the pages use, see build/echarts.js), and in
// vendor/compressed/ a gzip and a brotli form of each of them and of js/,
// with a manifest of what each was made from (build/build.mjs).
package assets

import (
	"embed"
	"io/fs"
)

//go:embed js vendor
var files embed.FS

// FS returns the asset files, rooted at this folder: "js/charts.js",
// "vendor/app.css", "vendor/echarts.custom.min.js",
// "vendor/compressed/js/charts.js.br".
func FS() fs.FS { return files }

// Package assets holds the files the browser fetches: our scripts in js/ and
// the third-party files that `make assets` builds into vendor/ (app.css,
// echarts.min.js) from the npm packages pinned in package-lock.json.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed js vendor
var files embed.FS

// FS returns the asset files, rooted at this folder: "js/charts.js",
// "vendor/app.css", "vendor/echarts.min.js".
func FS() fs.FS { return files }

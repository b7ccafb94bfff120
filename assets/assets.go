// Package assets holds the files the browser fetches: our scripts in js/ and
// the files that `make assets` builds into vendor/ from the npm packages
// pinned in package-lock.json: app.css, echarts.custom.min.js (ECharts with
// only what the pages use, see build/echarts.js), and in
// vendor/compressed/ a gzip and a brotli form of each of them and of js/,
// with a manifest of what each was made from (build/build.mjs).
//
// It also holds, in server/, the ECharts build that the server itself runs
// to draw charts as SVG (build/echarts-server.js); that one is not served.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed js vendor
var files embed.FS

//go:embed server
var serverFiles embed.FS

// FS returns the asset files, rooted at this folder: "js/charts.js",
// "vendor/app.css", "vendor/echarts.custom.min.js",
// "vendor/compressed/js/charts.js.br".
func FS() fs.FS { return files }

// ServerECharts returns the ECharts build for drawing charts on the
// server, or an error when `make assets` has not been run.
func ServerECharts() ([]byte, error) {
	return serverFiles.ReadFile("server/echarts.server.min.js")
}

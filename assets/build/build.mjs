// Builds what `npm run build` leaves in assets/vendor beside app.css:
//
//   echarts.custom.min.js  ECharts with only what the pages use
//                          (echarts.js here lists it), bundled by esbuild
//
// and, in assets/server (embedded, never served):
//
//   echarts.server.min.js  the same ECharts with the SVG renderer alone,
//                          for drawing charts on the server (echarts-server.js)
//
// and in assets/vendor:
//   compressed/NAME.gz     gzip (level 9) and brotli (quality 11) forms of
//   compressed/NAME.br     every file the browser fetches, NAME being its
//                          path under assets/ ("js/charts.js")
//   compressed/manifest.json  NAME -> sha256 of the file compressed, so the
//                          server uses a compressed form only if it was made
//                          from the file it serves (an edited script whose
//                          build was not rerun is sent gzipped at start-up)
//
// Run from the repository root: node assets/build/build.mjs
// With file names (node assets/build/build.mjs --compress a.js b.js) it
// writes a.js.gz and a.js.br beside each file instead, for the bench.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

function compress(body) {
  return {
    gz: gzipSync(body, { level: 9 }),
    br: brotliCompressSync(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.length
      }
    })
  };
}

if (process.argv[2] === "--compress") {
  for (const file of process.argv.slice(3)) {
    const c = compress(readFileSync(file));
    writeFileSync(file + ".gz", c.gz);
    writeFileSync(file + ".br", c.br);
  }
  process.exit(0);
}

const echarts = JSON.parse(readFileSync("node_modules/echarts/package.json", "utf8"));
await build({
  entryPoints: ["assets/build/echarts.js"],
  outfile: "assets/vendor/echarts.custom.min.js",
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2017",
  // ECharts' development checks and warnings go; so does its licence
  // header, given once here instead.
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "none",
  banner: { js: `/*! Apache ECharts ${echarts.version}, Apache License 2.0; a custom build for cptrends (assets/build/echarts.js) */` },
  logLevel: "warning"
});

// The server's own build, for drawing charts as SVG in the JavaScript
// engine of internal/chartsvg: embedded by assets.go, never served.
await build({
  entryPoints: ["assets/build/echarts-server.js"],
  outfile: "assets/server/echarts.server.min.js",
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2017",
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "none",
  banner: { js: `/*! Apache ECharts ${echarts.version}, Apache License 2.0; the server's build for cptrends (assets/build/echarts-server.js) */` },
  logLevel: "warning"
});

// Everything the server embeds and serves, by its name under assets/.
const names = ["vendor/app.css", "vendor/echarts.custom.min.js"].concat(
  readdirSync("assets/js").filter((f) => f.endsWith(".js")).sort().map((f) => "js/" + f)
);
const out = "assets/vendor/compressed";
rmSync(out, { recursive: true, force: true });
const manifest = {};
for (const name of names) {
  const body = readFileSync(join("assets", name));
  const c = compress(body);
  mkdirSync(dirname(join(out, name)), { recursive: true });
  writeFileSync(join(out, name + ".gz"), c.gz);
  writeFileSync(join(out, name + ".br"), c.br);
  manifest[name] = createHash("sha256").update(body).digest("hex");
}
writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");

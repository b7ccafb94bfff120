// Copies third-party browser files from node_modules into assets/vendor.
// Run by `npm run build`; the versions are the ones pinned in package-lock.json.
import { copyFileSync, mkdirSync } from "node:fs";

const files = [
  ["node_modules/echarts/dist/echarts.min.js", "assets/vendor/echarts.min.js"],
];

mkdirSync("assets/vendor", { recursive: true });
for (const [from, to] of files) {
  copyFileSync(from, to);
  console.log(`copied ${from} -> ${to}`);
}

// The ECharts that the pages load: only the chart types, components and
// renderers that internal/chart's options and assets/js (charts.js,
// export.js) use, bundled into assets/vendor/echarts.custom.min.js by
// build.mjs and set as the global `echarts` that those scripts call.
// A new series type, component or option in internal/chart needs its
// module added here, or ECharts ignores that part of the option without a
// word in production. Module names: node_modules/echarts/lib/export/.
import * as echarts from "echarts/core";
import { BarChart, LineChart, ScatterChart } from "echarts/charts";
import {
  AriaComponent, // option.aria: a text description for screen readers
  GraphicComponent, // export.js: the source and notes under an exported image
  GridComponent,
  LegendPlainComponent, // legend without type: "scroll"
  MarkLineComponent, // breaks in series
  MarkPointComponent, // published symbols (c, x, ...) at their years
  TitleComponent, // export.js: the title of an exported image
  TooltipComponent // also installs the axis pointer (trigger: "axis")
} from "echarts/components";
import { LabelLayout, LegacyGridContainLabel } from "echarts/features";
import { CanvasRenderer, SVGRenderer } from "echarts/renderers";

echarts.use([
  BarChart, LineChart, ScatterChart, // ScatterChart: the funnel plots
  AriaComponent, GraphicComponent, GridComponent, LegendPlainComponent, MarkLineComponent, MarkPointComponent, TitleComponent, TooltipComponent,
  LabelLayout, // series labelLayout.hideOverlap (the year-on-year labels)
  LegacyGridContainLabel, // grid.containLabel, which ECharts 6 keeps only as a feature
  CanvasRenderer, // the pages
  SVGRenderer // export.js: SVG files, drawn with ssr and renderToSVGString
]);

window.echarts = echarts;

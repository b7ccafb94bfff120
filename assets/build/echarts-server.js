// The ECharts that the server runs (internal/chartsvg) to draw each chart
// as SVG for the page: the same chart types and components as the pages'
// build (echarts.js here), with the SVG renderer alone, set as the global
// `echarts` of the JavaScript engine. build.mjs bundles it into
// assets/server/echarts.server.min.js, which the binary embeds and never
// serves.
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import {
  AriaComponent,
  GraphicComponent,
  GridComponent,
  LegendPlainComponent,
  MarkLineComponent,
  MarkPointComponent,
  TitleComponent,
  TooltipComponent
} from "echarts/components";
import { LabelLayout, LegacyGridContainLabel } from "echarts/features";
import { SVGRenderer } from "echarts/renderers";

echarts.use([
  BarChart, LineChart,
  AriaComponent, GraphicComponent, GridComponent, LegendPlainComponent, MarkLineComponent, MarkPointComponent, TitleComponent, TooltipComponent,
  LabelLayout, LegacyGridContainLabel,
  SVGRenderer
]);

globalThis.echarts = echarts;

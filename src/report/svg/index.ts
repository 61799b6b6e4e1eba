export { esc, label, ticks } from './core.js';
export { xyPlot, type XyPlot, type Series } from './xy.js';
export { barPlot, type BarPlot } from './bar.js';
export { heatmap, type Heatmap } from './heatmap.js';

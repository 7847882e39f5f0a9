/**
 * Figures of the reproduction: image grids (sharp), plotly charts (HTML and PNG), display in
 * notebooks (tslab), and the reproduction preset.
 */
export * from './preset.js';
export * from './greyscale.js';
export * from './imageGrid.js';
export * from './plotly.js';
export * from './charts.js';
export * from './display.js';
export * from './qualitative.js';
export * from './strips.js';
export * from './colormap.js';
export * from './live_loss.js';

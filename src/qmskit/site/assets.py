"""Static assets of the handbook, shipped as strings so they need no package data.

One stylesheet for panels, badges, tables, charts and maps. It uses Material's colour
variables where they exist (so light and dark palettes both work) with plain fallbacks
for other themes, and loads nothing from another host.
"""

from __future__ import annotations

CSS_PATH = "assets/qmskit.css"

CSS = """\
/* qmskit handbook styles: generated, do not edit (see qmskit/site/assets.py). */
:root {
  --qms-fg: var(--md-default-fg-color, #222);
  --qms-muted: var(--md-default-fg-color--light, #666);
  --qms-line: var(--md-default-fg-color--lightest, #ddd);
  --qms-bg: var(--md-default-bg-color, #fff);
  --qms-green: #2e7d32;
  --qms-amber: #b26a00;
  --qms-red: #c62828;
  --qms-grey: #616161;
}
.md-typeset .qms-panel, .qms-panel {
  border: 1px solid var(--qms-line);
  border-left: 4px solid var(--md-primary-fg-color, #3949ab);
  border-radius: 4px;
  padding: .4em .9em;
  margin: 0 0 1.2em;
  font-size: .75rem;
}
.qms-panel dl { display: grid; grid-template-columns: max-content 1fr; gap: .15em 1em; }
@media (min-width: 60em) {
  .qms-panel dl { grid-template-columns: max-content 1fr max-content 1fr; }
}
.md-typeset .qms-panel dl, .md-typeset .qms-kpi-facts dl { margin: .3em 0; }
.md-typeset .qms-panel dt, .md-typeset .qms-kpi-facts dt, .qms-panel dt, .qms-kpi-facts dt {
  color: var(--qms-muted);
  font-weight: 600;
  margin: 0;
}
.md-typeset .qms-panel dd, .md-typeset .qms-kpi-facts dd, .qms-panel dd, .qms-kpi-facts dd {
  margin: 0;
}
.qms-badge {
  display: inline-block;
  padding: 0 .45em;
  border-radius: .7em;
  font-size: .85em;
  font-weight: 600;
  line-height: 1.5;
  color: #fff;
  background: var(--qms-grey);
  white-space: nowrap;
}
.qms-badge--overdue, .qms-badge--red, .qms-badge--error,
.qms-badge--never-reviewed, .qms-badge--compliance { background: var(--qms-red); }
.qms-badge--due-soon, .qms-badge--amber, .qms-badge--warning,
.qms-badge--draft, .qms-badge--open, .qms-badge--pending { background: var(--qms-amber); }
.qms-badge--current, .qms-badge--on-target, .qms-badge--approved,
.qms-badge--closed, .qms-badge--performance { background: var(--qms-green); }
.qms-muted { color: var(--qms-muted); }
.qms-missing { color: var(--qms-red); font-style: italic; }
.qms-id { font-family: var(--md-code-font-family, monospace); font-size: .95em; }
.qms-id { white-space: nowrap; }
.qms-table { overflow-x: auto; }
.qms-table table td, .qms-table table th { vertical-align: top; }
.qms-matrix table { font-size: .7rem; }
.md-typeset .qms-matrix table td, .md-typeset .qms-matrix table th { padding: .35em .55em; }
.qms-matrix td:not(:first-child), .qms-matrix th:not(:first-child) { text-align: center; }
.qms-raci { font-weight: 700; letter-spacing: .05em; }
.qms-summary .qms-badge { margin-left: .6em; }
.qms-summary .qms-badge:first-child { margin-left: 0; }
.qms-figure { margin: 1em 0; overflow-x: auto; max-width: 100%; }
.qms-figure svg { display: block; max-width: none; height: auto; }
.qms-figure--chart svg, .qms-figure--hop svg { max-width: 100%; }
.qms-figure figcaption { font-size: .75rem; }
.md-typeset .qms-kpi, .qms-kpi {
  border: 1px solid var(--qms-line);
  border-bottom: 0;
  border-radius: 6px 6px 0 0;
  padding: .2em .9em 0;
}
.qms-kpi-facts { font-size: .75rem; }
.qms-kpi-facts dl {
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(11em, 1fr));
  gap: .4em 1.2em;
}
.qms-kpi-facts dl > div { display: flex; flex-direction: column; }
.md-typeset .qms-kpi-facts p, .qms-kpi-facts p { margin: .3em 0 0; }
.md-typeset .qms-kpi-chart, .qms-kpi-chart {
  border: 1px solid var(--qms-line);
  border-top: 0;
  border-radius: 0 0 6px 6px;
  margin: 0 0 1em;
  padding: .4em .9em .6em;
}
.qms-kpi--red, .qms-kpi-chart--red { border-left: 4px solid var(--qms-red); }
.qms-kpi--amber, .qms-kpi-chart--amber { border-left: 4px solid var(--qms-amber); }
.qms-kpi--on-target, .qms-kpi-chart--on-target { border-left: 4px solid var(--qms-green); }
.qms-kpi-value { font-size: 1.3em; font-weight: 700; }
.qms-anchor { position: relative; top: -3em; }
.qms-tiles {
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(10em, 1fr));
  gap: .8em;
  margin: 1em 0;
}
.md-typeset a.qms-tile, a.qms-tile {
  display: flex;
  flex-direction: column;
  border: 1px solid var(--qms-line);
  border-radius: 6px;
  padding: .7em .9em;
  color: var(--qms-fg);
}
.qms-tile-value { font-size: 1.6em; font-weight: 700; }
.qms-tile-label { color: var(--qms-muted); font-size: .8em; }
.qms-calendar {
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(11em, 1fr));
  gap: .6em;
}
.qms-month {
  border: 1px solid var(--qms-line);
  border-radius: 4px;
  padding: .3em .6em;
  font-size: .75rem;
}
.md-typeset .qms-month h4, .qms-month h4 { margin: .2em 0; font-size: .8rem; }
.md-typeset .qms-month ul, .qms-month ul { margin: 0; padding-left: 0; list-style: none; }
.md-typeset .qms-month li, .qms-month li { margin: 0; }
.qms-legend { font-size: .75rem; }
.qms-legend-item { display: inline-flex; align-items: center; margin-right: 1em; }
.qms-swatch {
  display: inline-block;
  width: 1em;
  height: .8em;
  margin-right: .3em;
  border: 1.5px solid;
  border-radius: 2px;
}
.qms-map-more { font-size: .75rem; color: var(--qms-muted); }
/* SVG: charts */
.qms-chart { font-family: var(--md-text-font-family, sans-serif); }
.qms-band--good { fill: #2e7d32; fill-opacity: .08; }
.qms-band--amber { fill: #ef9a00; fill-opacity: .12; }
.qms-band--red { fill: #c62828; fill-opacity: .08; }
.qms-grid { stroke: #9e9e9e; stroke-opacity: .3; stroke-width: 1; }
.qms-axis { font-size: 11px; fill: var(--qms-muted); }
.qms-line { stroke-width: 1.5; stroke-dasharray: 6 4; }
.qms-line--target { stroke: #2e7d32; }
.qms-line--warn { stroke: #c62828; }
.qms-line-label { font-size: 11px; font-weight: 600; }
.qms-line-label--target { fill: #2e7d32; }
.qms-line-label--warn { fill: #c62828; }
.qms-series { fill: none; stroke: var(--md-primary-fg-color, #3949ab); stroke-width: 2; }
.qms-point { stroke: var(--qms-bg); stroke-width: 1; fill: #757575; }
.qms-point--on-target { fill: #2e7d32; }
.qms-point--amber { fill: #ef9a00; }
.qms-point--red { fill: #c62828; }
.qms-bar { fill: var(--md-primary-fg-color, #3949ab); }
/* SVG: maps */
.qms-map { font-family: var(--md-text-font-family, sans-serif); }
.qms-map-heading {
  font-size: 12px;
  font-weight: 700;
  fill: var(--qms-muted);
  text-transform: uppercase;
  letter-spacing: .05em;
}
.qms-edge { fill: none; stroke: #78909c; stroke-opacity: .7; stroke-width: 1.3; }
.qms-edge--owner { stroke-opacity: .25; stroke-dasharray: 3 3; }
.qms-edge-label { font-size: 10px; fill: var(--qms-muted); }
.qms-node rect { stroke-width: 1.5; fill: #eceff1; stroke: #607d8b; }
.qms-node text { fill: #212121; }
.qms-node-id { font-size: 11px; font-weight: 700; }
.qms-node-title { font-size: 10px; }
.qms-node:hover rect, .qms-node:focus rect, .qms-node--focus rect { stroke-width: 3; }
.qms-status-draft rect { stroke-dasharray: 5 3; }
.qms-status-retired { opacity: .5; }
.qms-kind-strategy rect { fill: #e8eaf6; stroke: #3949ab; }
.qms-kind-objective rect { fill: #e3f2fd; stroke: #1e88e5; }
.qms-kind-process rect { fill: #e0f2f1; stroke: #00897b; }
.qms-kind-procedure rect { fill: #f1f8e9; stroke: #7cb342; }
.qms-kind-kpi rect { fill: #fff8e1; stroke: #ffa000; }
.qms-kind-role rect { fill: #fce4ec; stroke: #d81b60; }
.qms-kind-strategy .qms-swatch { background: #e8eaf6; border-color: #3949ab; }
.qms-kind-objective .qms-swatch { background: #e3f2fd; border-color: #1e88e5; }
.qms-kind-process .qms-swatch { background: #e0f2f1; border-color: #00897b; }
.qms-kind-procedure .qms-swatch { background: #f1f8e9; border-color: #7cb342; }
.qms-kind-kpi .qms-swatch { background: #fff8e1; border-color: #ffa000; }
.qms-kind-role .qms-swatch { background: #fce4ec; border-color: #d81b60; }
"""

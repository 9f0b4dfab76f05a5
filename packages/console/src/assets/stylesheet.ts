/** The console's one stylesheet, served at `<basePath>/assets/console.css` (no inline styles: CSP). */
export const STYLESHEET = `
:root { --bg:#f6f7f9; --fg:#1b1f24; --muted:#5b6470; --card:#fff; --line:#d9dde3; --accent:#2457c5;
  --ok:#1e7b34; --ok-bg:#e3f4e8; --warn:#8a5a00; --warn-bg:#fff1cc; --alarm:#a4161a; --alarm-bg:#fde2e2;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 15px; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); line-height: 1.4; }
header.top { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; align-items: center; padding: .6rem 1rem;
  background: #1b2433; color: #fff; }
header.top a { color: #fff; text-decoration: none; font-weight: 600; }
header.top nav { display: flex; gap: 1rem; flex-wrap: wrap; }
header.top .operator { margin-left: auto; font-size: .85rem; opacity: .85; }
header.top form.search { display: flex; gap: .3rem; }
main { padding: 1rem; max-width: 1200px; margin: 0 auto; }
h1 { font-size: 1.35rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 .6rem; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; margin-bottom: 1rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
pre { white-space: pre-wrap; word-break: break-all; background: #f0f2f5; padding: .5rem; border-radius: 4px; margin: .3rem 0; max-height: 20rem; overflow: auto; }
.age { display: inline-block; padding: 0 .4rem; border-radius: 4px; font-variant-numeric: tabular-nums; white-space: nowrap; }
.age-ok { color: var(--ok); background: var(--ok-bg); }
.age-warn { color: var(--warn); background: var(--warn-bg); }
.age-alarm { color: var(--alarm); background: var(--alarm-bg); font-weight: 600; }
.age-none { color: var(--muted); }
.pill { white-space: nowrap; display: inline-block; padding: 0 .45rem; border-radius: 999px; background: #e8ecf3; font-size: .82rem; }
.pill.bad { background: var(--alarm-bg); color: var(--alarm); }
.pill.good { background: var(--ok-bg); color: var(--ok); }
.pill.current { background: var(--accent); color: #fff; }
.muted { color: var(--muted); }
.flash { padding: .6rem .8rem; border-radius: 6px; margin-bottom: 1rem; border: 1px solid var(--line); background: #eef4ff; }
.flash.error { background: var(--alarm-bg); border-color: #f2b8b8; }
.stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: .6rem; }
.stat { background: #f3f5f8; border-radius: 6px; padding: .5rem .7rem; }
.stat .label { color: var(--muted); font-size: .8rem; }
.stat .value { font-size: 1.3rem; font-weight: 600; font-variant-numeric: tabular-nums; }
form.inline { display: inline-flex; flex-wrap: wrap; gap: .4rem; align-items: center; margin: .2rem 0; }
form.stack { display: grid; gap: .5rem; max-width: 32rem; }
label { font-size: .85rem; color: var(--muted); display: grid; gap: .15rem; }
input, select, textarea, button { font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 5px; background: #fff; color: var(--fg); }
input, select, textarea { max-width: 100%; }
form.inline label { min-width: 0; max-width: 100%; }
td { overflow-wrap: anywhere; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--alarm); border-color: var(--alarm); }
button:disabled { opacity: .5; cursor: not-allowed; }
.diagram { width: 100%; overflow-x: auto; }
.diagram svg { width: 100%; min-width: 640px; height: auto; }
.diagram .node rect { fill: #fff; stroke: #8a94a3; stroke-width: 1.2; }
.diagram .node text { font-size: 11px; fill: var(--fg); text-anchor: middle; dominant-baseline: middle; font-family: ui-monospace, Menlo, monospace; }
.diagram .node.terminal rect { stroke-width: 2.4; }
.diagram .node.current rect { fill: var(--accent); stroke: #123a8f; }
.diagram .node.current text { fill: #fff; font-weight: 700; }
.diagram .node.visited rect { fill: #e6edfb; }
.diagram .edge { stroke: #b5bdc9; stroke-width: 1; fill: none; }
.diagram .edge.next { stroke: var(--accent); stroke-width: 2; }
.diagram .edge.taken { stroke: #5b6470; stroke-width: 1.6; }
.diagram .arrow { fill: #8a94a3; }
ol.timeline { list-style: none; padding: 0; margin: 0; }
ol.timeline li { border-left: 3px solid var(--line); padding: .3rem 0 .6rem .8rem; position: relative; }
ol.timeline li.forced { border-left-color: var(--alarm); }
ol.timeline .when { float: right; }
@media (max-width: 640px) {
  main { padding: .6rem; }
  header.top .operator { margin-left: 0; width: 100%; }
  table.responsive thead { display: none; }
  table.responsive tr { display: block; border-bottom: 2px solid var(--line); padding: .3rem 0; }
  table.responsive td { display: flex; gap: .6rem; border: none; padding: .15rem 0; }
  table.responsive td > * { min-width: 0; }
  form.inline select { width: 100%; }
  table.responsive td::before { content: attr(data-label); color: var(--muted); min-width: 7rem; font-size: .8rem; }
  td.num { text-align: left; }
}
`;

/**
 * index.html: every chart with its caption and the run's key settings, in one
 * self-contained file (vega, vega-lite, vega-embed and the font inlined) that
 * opens from the file system with no network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { VlSpec } from './chart.ts';
import { swatchSvg, type SwatchLook } from './swatch.ts';
import { FONT_FAMILY, webFontFiles, type Theme } from './theme.ts';
import { escapeControl } from '../traces/escape.ts';

/** One figure of the page. */
export interface HtmlFigure {
  name: string;
  title: string;
  caption: string;
  spec: VlSpec;
  /** Files written for it, relative to index.html. */
  files: string[];
  /** Its width in px (before the page's scale). */
  width: number;
}

/** A table of settings: a header row and rows of cells; a cell may carry a configuration's swatch. */
export interface SettingsTable {
  caption: string;
  /** Header cells; `look` puts the swatch of a configuration's look (colour, shape, dash) before the text. */
  header: { text: string; look?: SwatchLook }[];
  rows: string[][];
  /** A swatch before each row's first cell (the configuration's look in the charts). */
  rowLooks?: (SwatchLook | undefined)[];
}

/** What the page shows. */
export interface HtmlPage {
  title: string;
  /** Lines under the title (source directory, theme, width). */
  meta: string[];
  tables: SettingsTable[];
  notes: string[];
  figures: HtmlFigure[];
  theme: Theme;
}

const require = createRequire(import.meta.url);

/** The browser builds of vega, vega-lite and vega-embed (UMD, minified), in load order. */
export function libraryFiles(): string[] {
  // the packages' exports hide their build directories; their entry points live there
  return [
    join(dirname(require.resolve('vega')), 'vega.min.js'),
    join(dirname(require.resolve('vega-lite')), 'vega-lite.min.js'),
    join(dirname(require.resolve('vega-embed')), 'vega-embed.min.js'),
  ];
}

/** Escapes text for HTML. */
export function esc(s: string): string {
  // control characters are not allowed in XML (the SVG a chart is drawn from): written as escapes, as the terminal shows them
  return escapeControl(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A script body that cannot end its <script> element early. */
function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}

function fontFace(): string {
  const f = webFontFiles();
  const face = (file: string, weight: number) =>
    `@font-face{font-family:'${FONT_FAMILY}';font-style:normal;font-weight:${weight};src:url(data:font/woff2;base64,${readFileSync(file).toString('base64')}) format('woff2');}`;
  return face(f.regular, 400) + '\n' + face(f.bold, 700);
}

const CSS = `
body{font-family:'${FONT_FAMILY}',Helvetica,Arial,sans-serif;color:#222;margin:0;background:#fafafa;line-height:1.4}
main{max-width:1120px;margin:0 auto;padding:24px 28px 60px;background:#fff;min-height:100vh}
h1{font-size:26px;font-weight:600;margin:0 0 4px}
.meta{color:#555;margin:0 0 18px;font-size:15px}
table{border-collapse:collapse;margin:6px 0 22px;font-size:14px}
caption{text-align:left;font-weight:700;padding:0 0 4px}
th,td{border-bottom:1px solid #e3e3e3;padding:3px 12px 3px 0;text-align:left;vertical-align:top}
th{font-weight:700}
.swatch{display:inline-block;margin-right:5px;vertical-align:-1px}
.nowrap{white-space:nowrap}
.notes{background:#fff8e5;border-left:3px solid #e6a000;padding:6px 12px;font-size:14px}
.figures{display:flex;flex-wrap:wrap;gap:8px 32px;align-items:flex-start}
figure{margin:20px 0;padding:0}
.chart{display:inline-block;border:1px solid #eee;padding:4px;background:#fff}
figcaption{max-width:760px;font-size:15px;margin-top:6px}
figcaption .files{color:#666;font-size:13px}
.error{color:#b00020;font-weight:700}
`;

/** The page's script: draws each spec with vega-embed and records the outcome in window.__syncsimReport. */
function mainScript(scale: number): string {
  return `
(async function () {
  var status = window.__syncsimReport = { total: 0, rendered: 0, errors: [], done: false };
  try {
    await Promise.all([document.fonts.load("10px '${FONT_FAMILY}'"), document.fonts.load("bold 10px '${FONT_FAMILY}'")]);
  } catch (e) { /* the fallback fonts still draw */ }
  var figures = JSON.parse(document.getElementById('chart-specs').textContent);
  status.total = figures.length;
  for (var i = 0; i < figures.length; i++) {
    var f = figures[i];
    var el = document.getElementById('chart-' + f.name);
    try {
      await vegaEmbed(el, f.spec, { renderer: 'svg', actions: false });
      var svg = el.querySelector('svg');
      if (svg && ${scale} !== 1) {
        svg.style.width = (svg.width.baseVal.value * ${scale}) + 'px';
        svg.style.height = (svg.height.baseVal.value * ${scale}) + 'px';
      }
      status.rendered++;
    } catch (e) {
      status.errors.push(f.name + ': ' + e);
      el.innerHTML = '<p class="error">This chart could not be drawn: ' + String(e).replace(/</g, '&lt;') + '</p>';
      console.error(e);
    }
  }
  status.done = true;
  document.body.setAttribute('data-rendered', String(status.rendered));
})();
`;
}

/** `text` after the swatch of `look`, the swatch kept on the line of the first word. */
function swatched(look: SwatchLook | undefined, text: string): string {
  if (!look) return esc(text);
  const [, first, rest] = /^(\S*)([\s\S]*)$/.exec(text)!;
  return `<span class="nowrap">${swatchSvg(look)}${esc(first)}</span>${esc(rest)}`;
}

function table(t: SettingsTable): string {
  const head = t.header.map((h) => `<th>${swatched(h.look, h.text)}</th>`).join('');
  const rows = t.rows
    .map((r, j) => `<tr>${r.map((c, i) => (i === 0 ? `<th>${swatched(t.rowLooks?.[j], c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`)
    .join('\n');
  return `<table><caption>${esc(t.caption)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody></table>`;
}

/** The self-contained HTML page. */
export function reportHtml(page: HtmlPage): string {
  const specs = JSON.stringify(page.figures.map((f) => ({ name: f.name, spec: f.spec }))).replace(/</g, '\\u003c');
  const figures = page.figures
    .map((f, i) => {
      const files = f.files.map((x) => `<a href="${esc(encodeURI(x))}">${esc(x.startsWith(`${f.name}.`) ? x.slice(f.name.length + 1) : x)}</a>`).join(' · ');
      const w = Math.round(f.width * page.theme.htmlScale) + 10;
      return `<figure id="fig-${esc(f.name)}" style="width:${Math.max(w, 300)}px">
<div class="chart" id="chart-${esc(f.name)}" role="img" aria-label="${esc(f.title)}"></div>
<figcaption><b>Figure ${i + 1}. ${esc(f.title)}.</b> ${esc(f.caption)}${files ? ` <span class="files">Files: ${files}</span>` : ''}</figcaption>
</figure>`;
    })
    .join('\n');
  const libs = libraryFiles().map((f) => `<script>${inlineScript(readFileSync(f, 'utf8'))}</script>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(page.title)}</title>
<style>
${fontFace()}
${CSS}
</style>
</head>
<body>
<main>
<h1>${esc(page.title)}</h1>
${page.meta.map((m) => `<p class="meta">${esc(m)}</p>`).join('\n')}
${page.notes.length ? `<div class="notes">${page.notes.map((n) => `<p>${esc(n)}</p>`).join('')}</div>` : ''}
${page.tables.map(table).join('\n')}
<div class="figures">
${figures}
</div>
</main>
${libs}
<script type="application/json" id="chart-specs">${specs}</script>
<script>${inlineScript(mainScript(page.theme.htmlScale))}</script>
</body>
</html>
`;
}

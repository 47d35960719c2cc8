/** A flame graph of a call tree as one self-contained SVG (hover titles, no scripts, no external loads). */
import type { Frame } from './cpuprofile.js';

const WIDTH = 1400;
const ROW = 17;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Warm colours by a hash of the name, so one function keeps its colour everywhere; ours blue. */
function colour(f: Frame): string {
  let h = 0;
  for (const ch of f.name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  if (f.where.startsWith('src/') || f.where.startsWith('dist/src/')) return `hsl(${200 + (h % 30)},60%,${60 + (h % 15)}%)`;
  if (f.name.startsWith('(')) return 'hsl(0,0%,75%)';
  return `hsl(${10 + (h % 40)},80%,${58 + (h % 15)}%)`;
}

export function flameSvg(tree: Frame, title: string): string {
  const rects: string[] = [];
  let maxDepth = 0;
  const scale = WIDTH / Math.max(1, tree.total);
  const draw = (f: Frame, x: number, depth: number): void => {
    const w = f.total * scale;
    if (w < 0.5) return;
    maxDepth = Math.max(maxDepth, depth);
    const pct = ((f.total / tree.total) * 100).toFixed(2);
    const y = depth * ROW;
    const label = w > 40 ? `<text x="${(x + 3).toFixed(1)}" y="${y + ROW - 5}">${esc(f.name.slice(0, Math.floor(w / 7)))}</text>` : '';
    rects.push(
      `<g><title>${esc(`${f.name} ${f.where}\n${f.total} samples (${pct} %), self ${f.self}`)}</title>` +
        `<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(0.5, w - 0.5).toFixed(1)}" height="${ROW - 1}" fill="${colour(f)}"/>${label}</g>`,
    );
    let cx = x;
    for (const c of f.children) {
      draw(c, cx, depth + 1);
      cx += c.total * scale;
    }
  };
  draw(tree, 0, 0);
  const height = (maxDepth + 1) * ROW + 30;
  // Depth grows downwards (an icicle); each frame's callers are above it.
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="monospace" font-size="11">
<text x="4" y="${height - 10}" font-size="13">${esc(title)}: ${tree.total} samples; width = share of samples, top = entry points (hover for names and counts)</text>
${rects.join('\n')}
</svg>
`;
}

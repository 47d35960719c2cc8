/** HTML report building blocks: a figure with its caption, a section, an empty-chart note. */
import { esc } from '../svg/escape.js';

/** A chart with its caption; `note` is trusted HTML built by the caller (inputs already escaped). */
export function figure(svg: string, note: string): string {
  return `<figure>${svg}<figcaption>${note}</figcaption></figure>`;
}

/** A section of the page: its id names it for tests and links. */
export function section(id: string, title: string, body: string, wide = false): string {
  return `<section id="${id}"${wide ? ' class="wide"' : ''}><h2>${esc(title)}</h2>\n${body}\n</section>`;
}

/** Said instead of a chart when the inputs have nothing to draw. */
export function emptyNote(text: string): string {
  return `<p class="empty">${text}</p>`;
}

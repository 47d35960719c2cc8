/** SVG data markers (circle, square, ...) for the report's charts. */
import type { Marker } from './palette.js';

/** One data marker centred on (x, y); `attrs` are extra attributes, `inner` its <title>. */
export function marker(shape: Marker, x: number, y: number, attrs: string, inner: string, r = 3.5): string {
  switch (shape) {
    case 'circle':
      return `<circle cx="${x}" cy="${y}" r="${r}" ${attrs}>${inner}</circle>`;
    case 'square':
      return `<rect x="${fx(x - r * 0.9)}" y="${fx(y - r * 0.9)}" width="${fx(r * 1.8)}" height="${fx(r * 1.8)}" ${attrs}>${inner}</rect>`;
    case 'triangle':
      return `<path d="M${fx(x)} ${fx(y - r * 1.15)}L${fx(x + r * 1.1)} ${fx(y + r * 0.85)}L${fx(x - r * 1.1)} ${fx(y + r * 0.85)}Z" ${attrs}>${inner}</path>`;
    case 'diamond':
      return `<path d="M${fx(x)} ${fx(y - r * 1.3)}L${fx(x + r * 1.1)} ${fx(y)}L${fx(x)} ${fx(y + r * 1.3)}L${fx(x - r * 1.1)} ${fx(y)}Z" ${attrs}>${inner}</path>`;
  }
}

export const fx = (v: number): string => String(Math.round(v * 10) / 10);

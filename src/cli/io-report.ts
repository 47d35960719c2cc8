/** `qed-bench io`: the lines qemu-io prints (timings, hex dump), in its format. */
import { humanSize } from '../util/size.js';

/** qemu-io's elapsed time: "SS.hh sec", "MM:SS.hh" past a minute, "H:MM:SS.hh" past an hour. */
export function timeStr(seconds: number): string {
  const whole = Math.floor(seconds);
  const hundredths = String(Math.floor((seconds - whole) * 100)).padStart(2, '0');
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  if (h > 0) return `${h}:${String(m).padStart(2, '0')}:${s}.${hundredths}`;
  if (m > 0) return `${String(m).padStart(2, '0')}:${s}.${hundredths}`;
  return `${s}.${hundredths} sec`;
}

/** The two lines qemu-io prints after a read or write. */
export function report(verb: 'read' | 'wrote', offset: number, length: number, seconds: number): string {
  const t = Math.max(seconds, 1e-9);
  return (
    `${verb} ${length}/${length} bytes at offset ${offset}\n` +
    `${humanSize(length)}, 1 ops; ${timeStr(seconds)} (${humanSize(length / t)}/sec and ${(1 / t).toFixed(4)} ops/sec)\n`
  );
}

/** qemu-io's `read -v` hex dump: 16 bytes a line, offset, hex, then letters and digits (others as "."). */
export function dumpBuffer(buf: Uint8Array, offset: number): string {
  let s = '';
  for (let i = 0; i < buf.length; i += 16) {
    const row = buf.subarray(i, Math.min(i + 16, buf.length));
    const hex = Array.from(row, (b) => `${b.toString(16).padStart(2, '0')} `).join('');
    const text = Array.from(row, (b) => (/[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '.')).join('');
    s += `${(offset + i).toString(16).padStart(8, '0')}:  ${hex} ${text}\n`;
  }
  return s;
}

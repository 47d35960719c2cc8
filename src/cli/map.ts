/** `map IMAGE`: a summary and the data ranges (every range with --all); read-only. */
import { allocationMap, type Extent } from '../qed/map.js';
import type { CheckFinding } from '../qed/check.js';
import { humanSize } from '../util/size.js';
import { EXIT_FAILURE, EXIT_OK } from './errors.js';
import { READ_ONLY, withImage } from './image.js';
import { printJson, type Output } from './output.js';
import { usageOutput, type RegisterCommand } from './options.js';

/**
 * An image whose tables point outside the file (or into the header) is refused, as
 * `qemu-img map` refuses it (exit 1), naming the entry: listing such a cluster as data would
 * present garbage as the disk's contents.
 */
export async function mapCommand(a: { image: string; json?: boolean; all?: boolean }, out: Output): Promise<number> {
  const result = await withImage(a.image, READ_ONLY, async (img) => {
    const check = await img.check();
    const bad = check.findings.find((f) => f.kind === 'invalid-l1-entry' || f.kind === 'invalid-l2-entry');
    return bad ? { bad } : { extents: await allocationMap(img) };
  });
  if ('bad' in result) {
    out.stderr(refusal(a.image, result.bad!));
    return EXIT_FAILURE;
  }
  const extents = result.extents!;
  if (a.json) printJson(out, extents.map(({ start, length, kind, offset }) => ({ start, length, kind, offset })));
  else out.stdout(`${summary(extents)}\n${humanMap(a.all ? extents : extents.filter((e) => e.kind === 'data'))}`);
  return EXIT_OK;
}

function refusal(image: string, f: CheckFinding): string {
  return `qed-bench: map: ${image}: ${f.where}: ${f.message}; the image is corrupt and is not mapped (qemu-img map refuses it too; see qed-bench check)\n`;
}

/** Bytes per state and how many data ranges (merged as qemu-img map merges them). */
function summary(extents: Extent[]): string {
  const total = (k: Extent['kind']) => extents.filter((e) => e.kind === k).reduce((s, e) => s + e.length, 0);
  const ranges = extents.filter((e) => e.kind === 'data').length;
  const size = extents.reduce((s, e) => s + e.length, 0);
  const part = (k: Extent['kind']) => `${k} ${humanSize(total(k))} (${size ? ((100 * total(k)) / size).toFixed(1) : '0.0'}%)`;
  return `${humanSize(size)} virtual: ${part('data')} in ${ranges} range${ranges === 1 ? '' : 's'}, ${part('zero')}, ${part('unallocated')}\n`;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** qemu-img map's columns (hex), with the state spelled out since we list every kind. */
function humanMap(extents: Extent[]): string {
  const row = (cells: string[]): string => cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(20) : c)).join('').trimEnd();
  const lines = [row(['Offset', 'Length', 'Kind', 'Mapped to'])];
  for (const e of extents) lines.push(row([hex(e.start), hex(e.length), e.kind, e.offset === undefined ? '' : hex(e.offset)]));
  return `${lines.join('\n')}\n`;
}

export const registerMap: RegisterCommand = (program, out, setCode) => {
  program
    .command('map')
    .configureOutput(usageOutput(out, 'map'))
    .description('print the allocation map of the virtual disk (read-only)')
    .argument('<image>', 'QED image')
    .option('--json', 'print JSON: [{start, length, kind, offset}] (every range)')
    .option('--all', 'list zero and unallocated ranges too, not only data')
    .action(async (image: string, o) => setCode(await mapCommand({ image, ...o }, out)));
};

/** `qed-bench map`: the allocation map of an image's virtual disk. */
import { allocationMap, type Extent } from '../qed/map.js';
import { EXIT_OK } from './errors.js';
import { READ_ONLY, withImage } from './image.js';
import { printJson, type Output } from './output.js';
import { usageOutput, type RegisterCommand } from './options.js';

/** `map IMAGE`: every run of the virtual disk with its state; read-only. */
export async function mapCommand(a: { image: string; json?: boolean }, out: Output): Promise<number> {
  const extents = await withImage(a.image, READ_ONLY, (img) => allocationMap(img));
  if (a.json) printJson(out, extents.map(({ start, length, kind, offset }) => ({ start, length, kind, offset })));
  else out.stdout(humanMap(extents));
  return EXIT_OK;
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
    .option('--json', 'print JSON: [{start, length, kind, offset}]')
    .action(async (image: string, o) => setCode(await mapCommand({ image, ...o }, out)));
};

/** `qed-bench io`: parses qemu-io command strings (-c) before the image opens. */
import { parseSize } from '../util/size.js';
import { CliUsageError } from './errors.js';

/** One qemu-io command line, parsed and checked before the image is opened. */
export type IoCommand = { text: string } & (
  | { op: 'read'; aio: boolean; offset: number; length: number; pattern?: number; verbose: boolean; quiet: boolean }
  | { op: 'write'; aio: boolean; offset: number; length: number; pattern: number; zero: boolean; quiet: boolean }
  | { op: 'flush' | 'aio_flush' }
  | { op: 'truncate'; size: number }
);

interface Spec {
  flags: string; // options without a value
  valued: string; // options taking a value
  args: string[];
  usage: string;
}

const rw = (name: string, flags: string, extra: string): Spec => ({
  flags,
  valued: 'P',
  args: ['OFFSET', 'LEN'],
  usage: `${name} [-P pattern] ${extra} [-q] OFFSET LEN`,
});

const SPECS: Record<string, Spec> = {
  read: rw('read', 'vq', '[-v]'),
  aio_read: rw('aio_read', 'vq', '[-v]'),
  write: rw('write', 'zq', '[-z]'),
  aio_write: rw('aio_write', 'zq', '[-z]'),
  zero: { flags: 'q', valued: '', args: ['OFFSET', 'LEN'], usage: 'zero [-q] OFFSET LEN' },
  flush: { flags: '', valued: '', args: [], usage: 'flush' },
  aio_flush: { flags: '', valued: '', args: [], usage: 'aio_flush' },
  truncate: { flags: '', valued: '', args: ['SIZE'], usage: 'truncate SIZE' },
};

export const IO_COMMANDS = Object.keys(SPECS);

/** qemu-io's default write pattern. */
export const DEFAULT_PATTERN = 0xcd;
/** Data buffers are allocated whole; zero writes need none and have no limit. */
export const MAX_BUFFER = 1 << 30;

/** Parse every -c string; the first bad one throws, naming the command and the field. */
export function parseIoCommands(texts: string[], readOnly: boolean): IoCommand[] {
  return texts.map((text) => {
    const cmd = parseIoCommand(text);
    if (readOnly && (cmd.op === 'write' || cmd.op === 'truncate')) {
      throw new CliUsageError(`io command "${text}" writes to the image, which -r/--read-only opens read-only`);
    }
    return cmd;
  });
}

export function parseIoCommand(text: string): IoCommand {
  const [name = '', ...words] = text.trim().split(/\s+/).filter(Boolean);
  const spec = SPECS[name];
  if (!spec) {
    const what = name ? `unknown io command "${name}"` : 'empty io command';
    throw new CliUsageError(`${what} in -c "${text}"; known commands: ${IO_COMMANDS.join(', ')}`);
  }
  const fail = (msg: string): never => {
    throw new CliUsageError(`io command "${text}": ${msg} (usage: ${spec.usage})`);
  };
  const { opts, args } = getopt(words, spec, fail);
  if (args.length !== spec.args.length) {
    fail(`expected ${spec.args.length} argument(s) ${spec.args.join(' ')}, got ${args.length}`);
  }
  const num = (i: number): number => {
    try {
      return parseSize(args[i]);
    } catch (err) {
      return fail(`${spec.args[i]}: ${(err as Error).message}`);
    }
  };

  if (name === 'flush' || name === 'aio_flush') return { text, op: name };
  if (name === 'truncate') return { text, op: 'truncate', size: num(0) };
  const offset = num(0);
  const length = num(1);
  const zero = name === 'zero' || opts.has('z');
  const quiet = opts.has('q');
  const patternText = opts.get('P');
  const pattern = patternText === undefined ? undefined : parsePattern(patternText, fail);
  if (zero && pattern !== undefined) fail('-z and -P cannot be given together');
  if (!zero && length > MAX_BUFFER) fail(`LEN ${length} is larger than the ${MAX_BUFFER} bytes (1 GiB) one request may buffer`);
  const aio = name.startsWith('aio_');
  if (name === 'read' || name === 'aio_read') {
    return { text, op: 'read', aio, offset, length, pattern, verbose: opts.has('v'), quiet };
  }
  return { text, op: 'write', aio, offset, length, pattern: pattern ?? DEFAULT_PATTERN, zero, quiet };
}

/** A byte, decimal or 0x hex, as qemu-io's -P takes it. */
function parsePattern(s: string, fail: (msg: string) => never): number {
  const n = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^\d+$/.test(s) ? parseInt(s, 10) : NaN;
  if (!(n >= 0 && n <= 255)) fail(`-P: "${s}" is not a valid pattern byte (0..255, decimal or 0x hex)`);
  return n;
}

/** POSIX-style short options before the arguments: "-q -P 0xab", "-qP0xab"; "--" ends them. */
function getopt(words: string[], spec: Spec, fail: (msg: string) => never): { opts: Map<string, string>; args: string[] } {
  const opts = new Map<string, string>();
  let i = 0;
  for (; i < words.length && words[i].startsWith('-') && words[i].length > 1; i++) {
    if (words[i] === '--') {
      i++;
      break;
    }
    const w = words[i];
    for (let j = 1; j < w.length; j++) {
      const c = w[j];
      if (spec.flags.includes(c)) {
        opts.set(c, '');
      } else if (spec.valued.includes(c)) {
        const value = j + 1 < w.length ? w.slice(j + 1) : words[++i];
        if (value === undefined) fail(`option -${c} needs a value`);
        opts.set(c, value);
        break;
      } else {
        fail(`unknown option -${c}`);
      }
    }
  }
  return { opts, args: words.slice(i) };
}

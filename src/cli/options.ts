import { InvalidArgumentError } from 'commander';
import { parseSize } from '../util/size.js';
import type { Output } from './output.js';

/** Option parsers: a bad value becomes commander's error naming the option. */
export function sizeArg(value: string): number {
  try {
    return parseSize(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function intArg(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a whole number`);
  return Number(value);
}

export function positiveIntArg(value: string): number {
  const n = intArg(value);
  if (n < 1) throw new InvalidArgumentError(`"${value}" must be at least 1`);
  return n;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Commander's own errors (unknown option, missing argument) in our format, naming the command. */
export function usageOutput(out: Output, command?: string) {
  const hint = command ? ` (see 'qed-bench ${command} --help')` : ` (see 'qed-bench --help')`;
  return {
    writeOut: (s: string) => out.stdout(s),
    writeErr: (s: string) => out.stderr(s),
    outputError: (s: string, write: (s: string) => void) =>
      write(`qed-bench: ${command ? `${command}: ` : ''}${s.replace(/^error: /, '').trimEnd()}${hint}\n`),
  };
}

/** How a command module adds itself to the program: `setCode` receives its exit code. */
export type RegisterCommand = (program: import('commander').Command, out: Output, setCode: (code: number) => void) => void;

/** The bench scripts' command line: `--help` prints the usage, a bad option is one line and exit 2, never a stack trace. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A usage line made from the options, so it cannot drift from them; `child*` options are a script's call to itself. */
export function usageFromOptions(script: string, options: Options, positionals = ''): string {
  const parts = Object.entries(options)
    .filter(([name]) => !name.startsWith('child'))
    .map(([name, o]) => {
      if (o.type === 'boolean') return `[--${name}]`;
      const value = typeof o.default === 'string' ? o.default : Array.isArray(o.default) && o.default.length ? String(o.default[0]) : 'X';
      return `[--${name} ${value}]${o.multiple ? '...' : ''}`;
    });
  return `npm run ${script} --${positionals ? ` ${positionals}` : ''} ${parts.join(' ')}`;
}

/**
 * parseArgs with the script's usage: `--help`/`-h` anywhere prints it and exits 0; an unknown
 * option, a missing value or a stray argument prints `script: why` and the usage and exits 2.
 */
export function benchArgs<C extends ParseArgsConfig & { options: Options }>(script: string, config: C, usage = usageFromOptions(script, config.options)): ReturnType<typeof parseArgs<C>> {
  const args = config.args ?? process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`usage: ${usage}\n`);
    process.exit(0);
  }
  try {
    return parseArgs<C>({ ...config, args });
  } catch (err) {
    process.stderr.write(`${script}: ${err instanceof Error ? err.message : String(err)}\nusage: ${usage}\n`);
    process.exit(2);
  }
}

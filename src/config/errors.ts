/** The error a config file's reader throws for bad input, with every problem located (file:line:col, field). */

export interface Problem {
  /** 1-based; absent when the value did not come from the file (e.g. a --set override). */
  line?: number;
  col?: number;
  /** Where the value came from when not the file: "--set cache.size=abc". */
  origin?: string;
  /** Field path as written in messages: phases[0].jobs[1].iodepth ('' for the file itself). */
  path: string;
  /** "expected ..., found ...; hint". */
  message: string;
}

/** How many problems one error lists; the rest are counted. */
export const MAX_PROBLEMS = 5;

/** A config file (workload, gate file, trace-job options) with located problems: the user's input. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: Problem[],
    /** Extra context for every line, e.g. the matrix combination being expanded. */
    readonly context?: string,
  ) {
    super(formatProblems(source, problems, context));
    this.name = 'ConfigError';
  }
}

function where(source: string, p: Problem): string {
  if (p.origin) return `${source} (${p.origin})`;
  if (p.line === undefined) return source;
  return `${source}:${p.line}:${p.col ?? 1}`;
}

function line(source: string, p: Problem, context?: string): string {
  const field = p.path ? `${p.path}: ` : '';
  return `${where(source, p)}: ${field}${p.message}${context ? ` (${context})` : ''}`;
}

/** One problem: one line. Several: a count, then one line each, at most MAX_PROBLEMS. */
export function formatProblems(source: string, problems: Problem[], context?: string): string {
  if (problems.length === 1) return line(source, problems[0], context);
  const shown = problems.slice(0, MAX_PROBLEMS).map((p) => `  ${line(source, p, context)}`);
  const more = problems.length - shown.length;
  return [`${source}: ${problems.length} problems:`, ...shown, ...(more > 0 ? [`  (and ${more} more)`] : [])].join('\n');
}

/** File order, so the list reads top to bottom; problems without a position go last. */
export function sortProblems(problems: Problem[]): Problem[] {
  const key = (p: Problem) => (p.line ?? Infinity) * 1e6 + (p.col ?? 0);
  // Two checks of one value (whole, and in range) can say the same thing: say it once.
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const k = JSON.stringify([p.line, p.col, p.origin, p.path, p.message]);
    return !seen.has(k) && !!seen.add(k);
  });
  return unique.sort((a, b) => key(a) - key(b));
}

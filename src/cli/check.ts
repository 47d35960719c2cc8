/**
 * `qed-bench check`: consistency check (and repair) of an image, with qemu-img check's JSON and exit codes.
 */
import type { CheckResult } from '../qed/check.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './errors.js';
import { READ_ONLY, withImage } from './image.js';
import { printJson, type Output } from './output.js';
import { usageOutput, type RegisterCommand } from './options.js';

/** qemu-img check's exit codes: 0 clean, 1 the check itself failed, 2 corruptions, 3 leaks only. */
export const EXIT_CHECK_ERRORS = EXIT_FAILURE;
export const EXIT_CORRUPT = EXIT_USAGE;
export const EXIT_LEAKS = 3;

export interface CheckArgs {
  image: string;
  repair?: boolean;
  json?: boolean;
}

/**
 * `check IMAGE [--repair]`. As qemu-img: a repair pass, then (if it fixed anything) a second,
 * read-only pass whose counts are reported, carrying over corruptions-fixed from the first.
 */
export async function checkCommand(a: CheckArgs, out: Output): Promise<number> {
  const opts = a.repair ? { readOnly: false, repairOnOpen: false } : READ_ONLY;
  const { first, final } = await withImage(a.image, opts, async (img) => {
    const first = await img.check({ repair: a.repair });
    const final = first.corruptionsFixed > 0 ? await img.check() : first;
    return { first, final };
  });
  const result: CheckResult = { ...final, corruptionsFixed: first.corruptionsFixed, findings: first.findings };
  if (a.json) printJson(out, checkJson(a.image, result), 4);
  else out.stdout(`Image: ${a.image}\n${humanCheck(result)}`); // qemu-img does not name it; a log of several checks should
  return checkExitCode(result);
}

export function checkExitCode(r: CheckResult): number {
  if (r.checkErrors > 0) return EXIT_CHECK_ERRORS;
  if (r.corruptions > 0) return EXIT_CORRUPT;
  if (r.leaks > 0) return EXIT_LEAKS;
  return EXIT_OK;
}

/** `qemu-img check --output=json`'s keys (optional ones only when non-zero), plus our findings. */
export function checkJson(filename: string, r: CheckResult): Record<string, unknown> {
  const o: Record<string, unknown> = {
    filename,
    format: 'qed',
    'check-errors': r.checkErrors,
    'total-clusters': r.totalClusters,
    'allocated-clusters': r.allocatedClusters,
  };
  if (r.corruptions) o.corruptions = r.corruptions;
  if (r.leaks) o.leaks = r.leaks;
  if (r.fragmentedClusters) o['fragmented-clusters'] = r.fragmentedClusters;
  if (r.corruptionsFixed) o['corruptions-fixed'] = r.corruptionsFixed;
  if (r.findings.length) o.findings = r.findings;
  return o;
}

/** qemu-img check's human report, with our findings listed first. */
export function humanCheck(r: CheckResult): string {
  const lines: string[] = [];
  for (const f of r.findings) {
    if (f.kind === 'leak') lines.push(`Leaked ${f.message}`); // the message names the cluster
    else lines.push(`${f.fixed ? 'Repaired' : 'ERROR'} ${f.where}: ${f.message}`);
  }
  if (r.corruptionsFixed) {
    lines.push(
      'The following inconsistencies were found and repaired:',
      '',
      '    0 leaked clusters',
      `    ${r.corruptionsFixed} corruptions`,
      '',
      'Double checking the fixed image now...',
    );
  }
  if (r.corruptions === 0 && r.leaks === 0 && r.checkErrors === 0) {
    lines.push('No errors were found on the image.');
  }
  if (r.corruptions) {
    lines.push('', `${r.corruptions} errors were found on the image.`, 'Data may be corrupted, or further writes to the image may corrupt it.');
  }
  if (r.leaks) {
    lines.push('', `${r.leaks} leaked clusters were found on the image.`, 'This means waste of disk space, but no harm to data.');
  }
  if (r.checkErrors) {
    lines.push('', `${r.checkErrors} internal errors have occurred during the check.`);
  }
  // qemu-img prints this line only when both counts are non-zero.
  if (r.totalClusters && r.allocatedClusters) {
    const pct = (n: number, d: number): string => ((100 * n) / d).toFixed(2);
    lines.push(
      `${r.allocatedClusters}/${r.totalClusters} = ${pct(r.allocatedClusters, r.totalClusters)}% allocated, ` +
        `${pct(r.fragmentedClusters, r.allocatedClusters)}% fragmented`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export const registerCheck: RegisterCommand = (program, out, setCode) => {
  program
    .command('check')
    .configureOutput(usageOutput(out, 'check'))
    .description('check an image for consistency, as qemu-img check (exit 0 clean, 1 check failed, 2 corruptions, 3 leaks)')
    .argument('<image>', 'QED image')
    .option('--repair', 'fix corruptions that can be fixed (opens the image for writing)')
    .option('--json', 'print JSON shaped like qemu-img check --output=json')
    .action(async (image: string, o) => setCode(await checkCommand({ image, ...o }, out)));
};

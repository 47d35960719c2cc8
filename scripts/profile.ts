/**
 * npm run profile: a CPU profile (node --cpu-prof) of a serve session under fio load, or of a
 * replay, written as a .cpuprofile (open it in Chrome DevTools' Performance tab or speedscope) and
 * a self-made flame graph SVG, with the top functions by self time printed.
 *
 *   npm run profile -- serve [--size 1G] [--runtime 10] [--rw randrw] [--cache-size N] [--out profiles]
 *   npm run profile -- run WORKLOAD.yaml [--set key=value ...] [--out profiles]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findOnPath } from '../src/util/find-on-path.js';
import { parseSize } from '../src/util/size.js';
import { createFullImage } from './lib/full-image.js';
import { runTool } from './peers/tools.js';
import { callTree, topSelf, type CpuProfile } from './profile/cpuprofile.js';
import { flameSvg } from './profile/flame-svg.js';
import { startOurs } from './serve/servers.js';

const REPO = ['../..', '..'].map((p) => fileURLToPath(new URL(`${p}/`, import.meta.url))).find((p) => readdirSync(p).includes('package.json'))!;

async function main(): Promise<void> {
  const [kind, ...rest] = process.argv.slice(2);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      size: { type: 'string', default: '1G' },
      runtime: { type: 'string', default: '10' },
      rw: { type: 'string', default: 'randrw' },
      'cache-size': { type: 'string' },
      set: { type: 'string', multiple: true, default: [] },
      out: { type: 'string', default: 'profiles' },
    },
  });
  if (kind !== 'serve' && kind !== 'run') usage('the first argument must be serve or run');
  const outDir = path.resolve(values.out!);
  mkdirSync(outDir, { recursive: true });
  const work = mkdtempSync(path.join(os.tmpdir(), 'qed-bench-profile-'));
  const profDir = path.join(work, 'prof');
  const nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${profDir}`];
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  let label: string;
  try {
    if (kind === 'serve') {
      if (!findOnPath('fio')) usage('profile serve needs fio on PATH (Debian: apt-get install fio)');
      const image = path.join(work, 'disk.qed');
      console.error(`profile: writing a fully allocated ${values.size} image`);
      await createFullImage(image, parseSize(values.size!));
      const server = await startOurs(image, { nodeArgs, resultsFile: path.join(work, 'results.json'), cacheSize: values['cache-size'] ? Number(values['cache-size']) : undefined });
      console.error(`profile: fio ${values.rw} 4k iodepth 16 × 2 jobs for ${values.runtime} s against ${server.nbdUri}`);
      const fio = await runTool('fio', ['--name=profile', '--ioengine=nbd', `--uri=${server.nbdUri}`, `--rw=${values.rw}`, '--bs=4k', '--iodepth=16', '--numjobs=2', `--size=${values.size}`, '--time_based', `--runtime=${values.runtime}`, '--group_reporting'], (Number(values.runtime) + 60) * 1000);
      await server.stop();
      if (fio.code !== 0) throw new Error(`fio failed: ${fio.stderr}`);
      console.error(fio.stdout.split('\n').filter((l) => /IOPS|err=/.test(l)).join('\n'));
      label = `serve under fio ${values.rw}`;
    } else {
      const workload = positionals[0];
      if (!workload) usage('profile run needs a workload file');
      const args = [...nodeArgs, path.join(REPO, 'bin/qed-bench.js'), 'run', workload, '-q', '-o', path.join(work, 'results.json'), ...values.set!.flatMap((s) => ['--set', s])];
      const code = await new Promise<number>((r) => spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] }).on('exit', (c) => r(c ?? -1)));
      if (code !== 0) throw new Error(`qed-bench run exited ${code}`);
      label = `run ${path.basename(workload)}`;
    }
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('node wrote no .cpuprofile');
    const base = path.join(outDir, `${kind}-${stamp}`);
    renameSync(path.join(profDir, file), `${base}.cpuprofile`);
    const profile = JSON.parse(readFileSync(`${base}.cpuprofile`, 'utf8')) as CpuProfile;
    const tree = callTree(profile, REPO);
    writeFileSync(`${base}.svg`, flameSvg(tree, `qed-bench ${label}`));
    const lines = [`${label}: ${tree.total} samples over ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s`, '', '| self % | function | where |', '|---|---|---|'];
    for (const t of topSelf(tree, 20)) lines.push(`| ${(t.share * 100).toFixed(1)} | ${t.name} | ${t.where} |`);
    console.log(`${lines.join('\n')}\n\nprofile: ${base}.cpuprofile\nflame graph: ${base}.svg`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function usage(why: string): never {
  console.error(`profile: ${why}\nusage: npm run profile -- serve [--size 1G] [--runtime 10] [--rw randrw] [--cache-size N] [--out dir]\n       npm run profile -- run WORKLOAD.yaml [--set key=value ...] [--out dir]`);
  process.exit(2);
}

main().catch((err: unknown) => {
  console.error(`profile: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

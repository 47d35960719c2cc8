/** The environment a results file records (Node, OS, CPU, memory, a fingerprint) and the git commit. */
import { execFileSync } from 'node:child_process';
import { cpus, platform, release, totalmem, arch } from 'node:os';

export interface Environment {
  node: string;
  os: string;
  arch: string;
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  /** A short id of the above, so compare can warn when runs come from different machines. */
  fingerprint: string;
}

export function environment(): Environment {
  const c = cpus();
  const e = {
    node: process.version,
    os: `${platform()} ${release()}`,
    arch: arch(),
    cpuModel: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    memoryBytes: totalmem(),
  };
  const fingerprint = `${e.node}|${platform()}|${e.arch}|${e.cpuModel}|${e.cores}`;
  return { ...e, fingerprint };
}

const commits = new Map<string, string | null>();

/** The git commit of the working directory's checkout, if there is one (asked once per directory and process: a sweep records it per cell). */
export function gitCommit(cwd = process.cwd()): string | null {
  let c = commits.get(cwd);
  if (c !== undefined) return c;
  try {
    c = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    c = null;
  }
  commits.set(cwd, c);
  return c;
}

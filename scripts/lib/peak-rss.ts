/**
 * Benchmark helper: this process's peak resident set. Linux's VmHWM (the high-water mark of the
 * process's own memory map, new at exec), not getrusage's maxRSS: a child spawned by a parent
 * that was already large reports the parent's peak there (the kernel keeps the larger of the
 * two across exec), so every child of a 184 MB bench:sim read 184 MB.
 */
import { readFileSync } from 'node:fs';

export function peakRssBytes(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux: getrusage's figure below
  }
  return process.resourceUsage().maxRSS * 1024;
}

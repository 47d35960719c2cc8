/** Where a command writes; `run` gets one so tests can capture output in-process. */
export interface Output {
  stdout(s: string): void;
  stderr(s: string): void;
}

export function printJson(out: Output, value: unknown, indent = 2): void {
  out.stdout(`${JSON.stringify(value, null, indent)}\n`);
}

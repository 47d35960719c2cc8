/** Where a command writes; `run` gets one so tests can capture output in-process. */
export interface Output {
  stdout(s: string): void;
  stderr(s: string): void;
}

export function printJson(out: Output, value: unknown, indent = 2): void {
  out.stdout(`${jsonText(value, indent)}\n`);
}

/** A marker no JSON string value holds: a bigint goes out as its exact digits, not a rounded Number. */
const BIG = '\u0000bigint:';

/** JSON.stringify, with bigints (u64 header fields) written as exact JSON numbers. */
export function jsonText(value: unknown, indent = 2): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${BIG}${v}` : v), indent);
  return text.replace(/"\\u0000bigint:(\d+)"/g, '$1');
}

/**
 * Text saved as UTF-16 (Windows editors, PowerShell's `>`): a UTF-16 byte order mark, or ASCII
 * characters alternating with NUL bytes through the first 16 bytes. Read as UTF-8 its first
 * line fails with unreadable "found" text; callers name it for what it is instead.
 */
export function isUtf16(head: Uint8Array): boolean {
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) return true;
  if (head.length < 16) return false;
  const ascii = (x: number) => x === 9 || x === 10 || x === 13 || (x >= 0x20 && x < 0x7f);
  const alternates = (nulFirst: number) => head.subarray(0, 16).every((x, i) => (i % 2 === nulFirst ? x === 0 : ascii(x)));
  return alternates(0) || alternates(1);
}

/** NBD wire constants (NetworkBlockDevice/nbd doc/proto.md), fixed newstyle, no TLS, no extended headers. */

export const NBDMAGIC = 0x4e42444d41474943n; // "NBDMAGIC"
export const IHAVEOPT = 0x49484156454f5054n; // "IHAVEOPT"
export const OPTION_REPLY_MAGIC = 0x3e889045565a9n;
export const REQUEST_MAGIC = 0x25609513;
export const SIMPLE_REPLY_MAGIC = 0x67446698;
export const STRUCTURED_REPLY_MAGIC = 0x668e33ef;

/** Handshake flags (server) and client flags. */
export const FLAG_FIXED_NEWSTYLE = 1 << 0;
export const FLAG_NO_ZEROES = 1 << 1;
export const CLIENT_FLAGS_KNOWN = FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES;

export const OPT = {
  EXPORT_NAME: 1,
  ABORT: 2,
  LIST: 3,
  PEEK_EXPORT: 4,
  STARTTLS: 5,
  INFO: 6,
  GO: 7,
  STRUCTURED_REPLY: 8,
  LIST_META_CONTEXT: 9,
  SET_META_CONTEXT: 10,
} as const;

const ERR = 0x80000000;
export const REP = {
  ACK: 1,
  SERVER: 2,
  INFO: 3,
  ERR_UNSUP: ERR + 1,
  ERR_POLICY: ERR + 2,
  ERR_INVALID: ERR + 3,
  ERR_UNKNOWN: ERR + 6,
} as const;

export const INFO = { EXPORT: 0, NAME: 1, DESCRIPTION: 2, BLOCK_SIZE: 3 } as const;

/** Transmission flags. */
export const TF = {
  HAS_FLAGS: 1 << 0,
  READ_ONLY: 1 << 1,
  SEND_FLUSH: 1 << 2,
  SEND_FUA: 1 << 3,
  SEND_TRIM: 1 << 5,
  SEND_WRITE_ZEROES: 1 << 6,
  CAN_MULTI_CONN: 1 << 8,
} as const;

export const CMD = { READ: 0, WRITE: 1, DISC: 2, FLUSH: 3, TRIM: 4, WRITE_ZEROES: 6 } as const;
export const CMD_FLAG_FUA = 1 << 0;
export const CMD_FLAG_NO_HOLE = 1 << 1;

/** Command flags this server accepts: FUA on every command (SEND_FUA is advertised), NO_HOLE on
 * WRITE_ZEROES (the protocol requires it with SEND_WRITE_ZEROES). DF and FAST_ZERO are not
 * advertised, so they are as unknown as any other bit. */
export function validCommandFlags(type: number): number {
  return type === CMD.WRITE_ZEROES ? CMD_FLAG_FUA | CMD_FLAG_NO_HOLE : CMD_FLAG_FUA;
}

export const REPLY_FLAG_DONE = 1 << 0;
export const REPLY_TYPE = { NONE: 0, OFFSET_DATA: 1, ERROR: (1 << 15) + 1 } as const;

/** Errno values as the protocol numbers them. */
export const ERRNO = { EPERM: 1, EIO: 5, ENOMEM: 12, EINVAL: 22, ENOSPC: 28, EOVERFLOW: 75, ENOTSUP: 95, ESHUTDOWN: 108 } as const;
export type ErrnoName = keyof typeof ERRNO;

/** Block size constraints advertised in NBD_INFO_BLOCK_SIZE. */
export const BLOCK_MIN = 512;
export const BLOCK_PREFERRED = 64 * 1024;
export const BLOCK_MAX = 32 * 1024 * 1024;

/** Longest option payload we read (an export name is at most 4096 bytes; INFO adds a few). */
export const MAX_OPTION_BYTES = 8192;

export const REQUEST_BYTES = 28;

/** Command names for metrics and messages. */
export function commandName(type: number): string {
  const e = Object.entries(CMD).find(([, v]) => v === type);
  return e ? e[0].toLowerCase() : `unknown(${type})`;
}

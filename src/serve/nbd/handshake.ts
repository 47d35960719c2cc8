/** NBD fixed-newstyle option haggling: from the greeting to the transmission phase (or a close). */
import type { Socket } from 'node:net';
import {
  BLOCK_MAX,
  BLOCK_MIN,
  BLOCK_PREFERRED,
  CLIENT_FLAGS_KNOWN,
  FLAG_FIXED_NEWSTYLE,
  FLAG_NO_ZEROES,
  IHAVEOPT,
  INFO,
  MAX_OPTION_BYTES,
  NBDMAGIC,
  OPT,
  OPTION_REPLY_MAGIC,
  REP,
} from './protocol.js';
import type { SocketReader } from './socket-reader.js';

export interface ExportInfo {
  name: string;
  description: string;
  size: number;
  /** Transmission flags (TF.*). */
  flags: number;
}

/** The client broke the protocol: the connection is closed (`kind` is for metrics). */
export class NbdProtocolError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
    this.name = 'NbdProtocolError';
  }
}

/**
 * Negotiated: structured replies or not, and the alignment the client agreed to (BLOCK_MIN when
 * its GO asked for NBD_INFO_BLOCK_SIZE, which binds it to the constraints; else 1). null: the client aborted.
 */
export type Negotiated = { structured: boolean; alignment: number } | null;

export async function negotiate(socket: Socket, reader: SocketReader, exp: ExportInfo): Promise<Negotiated> {
  const hello = Buffer.alloc(18);
  hello.writeBigUInt64BE(NBDMAGIC, 0);
  hello.writeBigUInt64BE(IHAVEOPT, 8);
  hello.writeUInt16BE(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES, 16);
  socket.write(hello);

  const clientFlags = (await reader.read(4)).readUInt32BE(0);
  if (clientFlags & ~CLIENT_FLAGS_KNOWN) {
    throw new NbdProtocolError('bad-client-flags', `unknown client flags 0x${clientFlags.toString(16)}`);
  }
  const noZeroes = (clientFlags & FLAG_NO_ZEROES) !== 0;
  let structured = false;
  const reply = (opt: number, type: number, data: Buffer = Buffer.alloc(0)): void => {
    const h = Buffer.alloc(20);
    h.writeBigUInt64BE(OPTION_REPLY_MAGIC, 0);
    h.writeUInt32BE(opt, 8);
    h.writeUInt32BE(type, 12);
    h.writeUInt32BE(data.length, 16);
    socket.write(Buffer.concat([h, data]));
  };
  const error = (opt: number, type: number, message: string): void => reply(opt, type, Buffer.from(message));

  for (;;) {
    const h = await reader.read(16);
    if (h.readBigUInt64BE(0) !== IHAVEOPT) throw new NbdProtocolError('bad-magic', 'option without the IHAVEOPT magic');
    const opt = h.readUInt32BE(8);
    const len = h.readUInt32BE(12);
    if (len > MAX_OPTION_BYTES) throw new NbdProtocolError('option-too-long', `option ${opt} carries ${len} bytes (at most ${MAX_OPTION_BYTES} accepted)`);
    const data = await reader.read(len);
    switch (opt) {
      case OPT.EXPORT_NAME: {
        const name = data.toString('utf8');
        // This option cannot fail with a reply: an unknown name closes the connection.
        if (name !== exp.name) throw new NbdProtocolError('unknown-export', `unknown export "${name}"`);
        const r = Buffer.alloc(noZeroes ? 10 : 134);
        r.writeBigUInt64BE(BigInt(exp.size), 0);
        r.writeUInt16BE(exp.flags, 8);
        socket.write(r);
        return { structured, alignment: 1 };
      }
      case OPT.ABORT:
        reply(opt, REP.ACK);
        return null;
      case OPT.LIST: {
        if (len !== 0) {
          error(opt, REP.ERR_INVALID, 'NBD_OPT_LIST takes no data');
          break;
        }
        const name = Buffer.from(exp.name);
        const d = Buffer.alloc(4 + name.length);
        d.writeUInt32BE(name.length, 0);
        name.copy(d, 4);
        reply(opt, REP.SERVER, d);
        reply(opt, REP.ACK);
        break;
      }
      case OPT.INFO:
      case OPT.GO: {
        const req = parseInfoRequest(data);
        if (typeof req === 'string') {
          error(opt, REP.ERR_INVALID, req);
          break;
        }
        if (req.name !== exp.name) {
          error(opt, REP.ERR_UNKNOWN, `unknown export "${req.name}"`);
          break;
        }
        sendInfo(exp, req.infos, (d) => reply(opt, REP.INFO, d));
        reply(opt, REP.ACK);
        if (opt === OPT.GO) return { structured, alignment: req.infos.includes(INFO.BLOCK_SIZE) ? BLOCK_MIN : 1 };
        break;
      }
      case OPT.STRUCTURED_REPLY:
        if (len !== 0) {
          error(opt, REP.ERR_INVALID, 'NBD_OPT_STRUCTURED_REPLY takes no data');
          break;
        }
        structured = true;
        reply(opt, REP.ACK);
        break;
      default:
        error(opt, REP.ERR_UNSUP, `option ${opt} is not supported by this server`);
    }
  }
}

function parseInfoRequest(d: Buffer): { name: string; infos: number[] } | string {
  if (d.length < 6) return 'NBD_OPT_INFO/GO data too short';
  const nameLen = d.readUInt32BE(0);
  if (4 + nameLen + 2 > d.length) return 'export name length runs past the option data';
  const n = d.readUInt16BE(4 + nameLen);
  if (4 + nameLen + 2 + 2 * n !== d.length) return 'information request count does not match the option length';
  const infos: number[] = [];
  for (let i = 0; i < n; i++) infos.push(d.readUInt16BE(6 + nameLen + 2 * i));
  return { name: d.toString('utf8', 4, 4 + nameLen), infos };
}

/** NBD_INFO_EXPORT always; name and description when asked; block sizes always (we have constraints). */
function sendInfo(exp: ExportInfo, asked: number[], send: (d: Buffer) => void): void {
  const e = Buffer.alloc(12);
  e.writeUInt16BE(INFO.EXPORT, 0);
  e.writeBigUInt64BE(BigInt(exp.size), 2);
  e.writeUInt16BE(exp.flags, 10);
  send(e);
  const text = (type: number, s: string): Buffer => Buffer.concat([u16(type), Buffer.from(s)]);
  if (asked.includes(INFO.NAME)) send(text(INFO.NAME, exp.name));
  if (asked.includes(INFO.DESCRIPTION)) send(text(INFO.DESCRIPTION, exp.description));
  const b = Buffer.alloc(14);
  b.writeUInt16BE(INFO.BLOCK_SIZE, 0);
  b.writeUInt32BE(BLOCK_MIN, 2);
  b.writeUInt32BE(BLOCK_PREFERRED, 6);
  b.writeUInt32BE(BLOCK_MAX, 10);
  send(b);
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v, 0);
  return b;
}

/** Listen addresses: "host:port", "[v6]:port", ":port" or "port"; loopback unless a remote bind is asked for. */
import { isIP, type AddressInfo, type Server } from 'node:net';

export class ListenAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListenAddressError';
  }
}

export interface ListenAddress {
  host: string;
  port: number;
}

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || LOOPBACK_V4.test(host);
}

/** Parse `value` (for `option`'s messages); a host left out is 127.0.0.1. */
export function parseListen(value: string, option: string): ListenAddress {
  let host = '127.0.0.1';
  let port: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(value);
  if (v6) {
    host = v6[1];
    port = v6[2];
  } else if (/^\d+$/.test(value)) {
    port = value;
  } else {
    const i = value.lastIndexOf(':');
    if (i < 0) throw new ListenAddressError(`${option} ${value}: expected host:port (e.g. 127.0.0.1:10809), :port or port`);
    if (i > 0) host = value.slice(0, i);
    port = value.slice(i + 1);
  }
  const n = Number(port);
  if (!/^\d+$/.test(port) || n > 65535) throw new ListenAddressError(`${option} ${value}: port must be 0..65535 (0 picks a free one)`);
  if (host !== 'localhost' && isIP(host) === 0) throw new ListenAddressError(`${option} ${value}: "${host}" is not an IP address (or localhost)`);
  return { host, port: n };
}

/** Refuse a non-loopback address unless the user also said --allow-remote. */
export function checkExposure(addr: ListenAddress, option: string, allowRemote: boolean): void {
  if (isLoopback(addr.host) || allowRemote) return;
  throw new ListenAddressError(`${option} ${addr.host}:${addr.port} is not a loopback address: serving the disk to the network has no authentication; add --allow-remote if that is what you want`);
}

/** Listen on host:port; resolves to the bound address (the port chosen when 0 was asked). */
export function listenOn(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

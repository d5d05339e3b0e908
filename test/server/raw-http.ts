import net from 'node:net';

/** A response as read off the wire: status, lower-cased headers, body (de-chunked). */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function dechunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', i);
    if (eol < 0) break;
    const size = parseInt(body.subarray(i, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    out.push(body.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/**
 * Sends bytes as they are over a fresh loopback connection and reads until the server closes it
 * (requests should say `Connection: close`): fetch would normalise the very URLs under test.
 * Resolves status 0 when no response came within the time allowed.
 */
export function rawRequest(
  port: number,
  request: string | Buffer,
  body?: Buffer,
  timeoutMs = 5000,
  /** Half-close after writing, so that a server waiting for the rest of a request sees the end. */
  end = false,
): Promise<RawResponse> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split < 0 ? all.length : split).toString('latin1');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      let rest: Buffer = split < 0 ? Buffer.alloc(0) : all.subarray(split + 4);
      if (headers['transfer-encoding'] === 'chunked') rest = dechunk(rest);
      else if (headers['content-length']) rest = rest.subarray(0, Number(headers['content-length']));
      resolve({
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0),
        headers,
        body: rest.toString(),
      });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', done);
    socket.on('close', done);
    // A server that answers before reading a whole upload may reset the rest: what it said counts.
    socket.on('error', () => {});
    socket.write(request);
    if (body) socket.write(body);
    if (end) socket.end();
  });
}

import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of an HTTP server that cuts the first `cuts` connections after `afterBytes` bytes
 * of the answer, as a dropped link would: the client sees a body that stops short, with no error from the server.
 */
export async function cuttingProxy(targetPort: number, opts: { afterBytes: number; cuts: number }): Promise<{ url: string; connections(): number; close(): Promise<void> }> {
  let connections = 0;
  const open = new Set<Socket>();
  const server = createServer((inbound) => {
    connections += 1;
    const cutThis = connections <= opts.cuts;
    const outbound = createConnection({ host: '127.0.0.1', port: targetPort });
    open.add(inbound).add(outbound);
    let sent = 0;
    inbound.pipe(outbound);
    outbound.on('data', (chunk: Buffer) => {
      if (!cutThis) {
        inbound.write(chunk);
        return;
      }
      const room = opts.afterBytes - sent;
      if (room > 0) inbound.write(chunk.subarray(0, room));
      sent += chunk.length;
      if (sent >= opts.afterBytes) {
        inbound.destroy();
        outbound.destroy();
      }
    });
    outbound.on('end', () => inbound.end());
    const drop = (): void => {
      inbound.destroy();
      outbound.destroy();
      open.delete(inbound);
      open.delete(outbound);
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

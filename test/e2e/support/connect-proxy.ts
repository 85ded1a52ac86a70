import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

/**
 * A minimal HTTP CONNECT proxy on loopback that tunnels `*.test` names to 127.0.0.1 and refuses everything else.
 * WebKitGTK has no host-resolver switch like Chromium's, so this is how MiniBrowser reaches app.test and idp.test
 * as distinct sites over TLS (the tunnel is opaque: TLS runs end to end between browser and test server).
 */
export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`, for MiniBrowser's `--proxy=`. */
  url: string;
  close(): Promise<void>;
}

export async function startConnectProxy(): Promise<ConnectProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.off('data', onData);
      const [method, target] = head.subarray(0, end).toString('latin1').split(' ');
      const [host, port] = (target ?? '').split(':');
      if (method !== 'CONNECT' || !host?.endsWith('.test') || !port) {
        client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const upstream = connect(Number(port), '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        // Bytes the browser sent after the request head (usually none) belong to the tunnel.
        const rest = head.subarray(end + 4);
        if (rest.length) upstream.write(rest);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

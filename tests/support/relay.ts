// A TCP relay in front of a server (PostgreSQL, Temporal) that a test can cut (every connection
// dropped, new ones refused) and restore, to take the server away from one client only.
import net from 'node:net';
import { freePort } from '../../scripts/temporal-tools.ts';

export interface Relay {
  port: number;
  /** host:port of the relay. */
  address: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function relay(target: { hostname: string; port: number }): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  const port = await freePort();
  let server: net.Server | undefined;
  const open = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => socket.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const shut = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!server?.listening) return resolve();
      server.close(() => resolve());
    });
  await open();
  // Restoring an open relay is a no-op, so a test may restore after each case whatever happened.
  const restore = () => (server?.listening ? Promise.resolve() : open());
  return { port, address: `127.0.0.1:${port}`, cut: shut, restore, close: shut };
}

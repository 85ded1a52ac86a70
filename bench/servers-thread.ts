// The e2e provider and app server (test/e2e/support) on a thread of their own. The benchmark's main thread runs
// Playwright, which handles a stream of DevTools events for every request and frame; servers sharing that event loop
// would answer later than they do on their own, and the delay would land in whatever is being measured.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { LoggedRequest } from '../test/e2e/support/provider.js';

export interface ServersOptions {
  accessTokenTtl: number;
  /** Paths on the app origin to register as redirect URIs. */
  redirectPaths: string[];
  /** URL prefix -> directory mounts of the app server, before the built-in ones. */
  mounts: [prefix: string, dir: string][];
}

/** Handles to the servers on the other thread. */
export interface ThreadServers {
  /** `https://app.test:<port>` */
  appOrigin: string;
  /** `https://idp.test:<port>` */
  issuer: string;
  clientId: string;
  /** A copy of the provider's request log (authorization and token endpoints), oldest first. */
  requests(): Promise<LoggedRequest[]>;
  /** A copy of the app server's requests served so far, by URL path. */
  counts(): Promise<Map<string, number>>;
  /** What `/config.js` exposes as `window.E2E_CONFIG` from now on. */
  setConfig(cfg: object): Promise<void>;
  close(): Promise<void>;
}

type Op = { op: 'requests' } | { op: 'counts' } | { op: 'setConfig'; cfg: object } | { op: 'close' };
type Reply = { id: number; value?: unknown };

export async function startServersThread(opts: ServersOptions): Promise<ThreadServers> {
  // tsx's loader does not reach worker threads on Node 20: the worker registers it, then loads this file.
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const self = JSON.stringify(import.meta.url);
  const worker = new Worker(`import(${api}).then((m) => m.tsImport(${self}, ${self}))`, { eval: true, workerData: opts });
  const ready = await new Promise<{ appOrigin: string; issuer: string; clientId: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  let next = 0;
  const pending = new Map<number, (value: unknown) => void>();
  worker.on('message', (r: Reply) => pending.get(r.id)?.(r.value));
  const call = <T>(op: Op) =>
    new Promise<T>((resolve) => {
      const id = ++next;
      pending.set(id, (value) => {
        pending.delete(id);
        resolve(value as T);
      });
      worker.postMessage({ id, ...op });
    });
  return {
    ...ready,
    requests: () => call<LoggedRequest[]>({ op: 'requests' }),
    counts: async () => new Map(await call<[string, number][]>({ op: 'counts' })),
    setConfig: (cfg) => call<void>({ op: 'setConfig', cfg }),
    close: async () => {
      await call({ op: 'close' });
      await worker.terminate();
    },
  };
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const o = workerData as ServersOptions;
  const { startAppServer } = await import('../test/e2e/support/app-server.js');
  const { startProvider } = await import('../test/e2e/support/provider.js');
  // Scripts are cacheable, as an app would deploy them (hashed, long-lived); pages and /config.js are not.
  const headers = (path: string): Record<string, string> =>
    path.endsWith('.js') && path !== '/config.js' ? { 'Cache-Control': 'public, max-age=3600' } : {};
  const app = await startAppServer({ headers, mounts: o.mounts });
  const idp = await startProvider({ accessTokenTtl: o.accessTokenTtl, redirectUris: o.redirectPaths.map((p) => app.origin + p) });
  port.on('message', async (m: Op & { id: number }) => {
    const reply = (value?: unknown) => port.postMessage({ id: m.id, value } satisfies Reply);
    if (m.op === 'requests') reply(idp.requests);
    else if (m.op === 'counts') reply([...app.counts]);
    else if (m.op === 'setConfig') reply(app.setConfig(m.cfg));
    else if (m.op === 'close') {
      await Promise.all([idp.close(), app.close()]);
      reply();
    }
  });
  port.postMessage({ appOrigin: app.origin, issuer: idp.issuer, clientId: idp.clientId });
}

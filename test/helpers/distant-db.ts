import { createDb, type Db } from "../../src/db/client.js";
import { startHranaServer, type HranaServer } from "../../fakes/hrana-server.js";
import { startLatencyProxy, type LatencyProxy } from "./latency-proxy.js";

export interface DistantDb {
  /** @libsql/client in remote mode, through the proxy. */
  db: Db;
  hrana: HranaServer;
  proxy: LatencyProxy;
  /** What one page view or one job cost on the wire since the last reset. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * The libSQL file at `path` as Turso serves it to a Vercel function: the Hrana-over-HTTP server in
 * front of it, `rttMs` of network between, and the real client in remote mode.
 */
export async function startDistantDb(path: string, rttMs: number, options: { readOnly?: boolean } = {}): Promise<DistantDb> {
  const token = "distant-token";
  const hrana = await startHranaServer(options.readOnly ? { path, readOnlyToken: token } : { path, authToken: token });
  const proxy = await startLatencyProxy({ target: hrana.url, rttMs });
  const db = createDb({ url: proxy.url, authToken: token });
  return {
    db,
    hrana,
    proxy,
    reset() {
      proxy.reset();
      hrana.writes.length = 0;
    },
    async close() {
      db.close();
      await proxy.close();
      await hrana.close();
    },
  };
}

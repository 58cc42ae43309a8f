import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startHranaServer } from "../fakes/hrana-server.js";
import { startLatencyProxy } from "../test/helpers/latency-proxy.js";

// Turso at a distance, in a process of its own (as Turso runs on its own machines): the Hrana
// server on the libSQL file argv[2] behind a proxy adding argv[3] ms per round trip. A control
// server answers GET / with the database URL and the meters, POST /reset zeroes them, so the
// benchmark's app does not share its event loop with the database and the network it waits on.
const [path, rtt] = [process.argv[2]!, Number(process.argv[3])];
const hrana = await startHranaServer({ path, authToken: "distant-token" });
const proxy = await startLatencyProxy({ target: hrana.url, rttMs: rtt });
const control = createServer((req, res) => {
  if (req.method === "POST") {
    proxy.reset();
    hrana.writes.length = 0;
  }
  const meters = {
    url: proxy.url,
    requests: proxy.requests,
    roundTrips: proxy.roundTrips,
    connections: proxy.connections,
    writes: hrana.writes,
    rowsWritten: hrana.rowsWritten,
  };
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(meters));
});
control.listen(0, "127.0.0.1", () => process.stdout.write(`ready http://127.0.0.1:${(control.address() as AddressInfo).port}\n`));
process.on("SIGTERM", () => {
  control.close();
  void Promise.all([proxy.close(), hrana.close()]).then(() => process.exit(0));
});

// Runs heartbeats against the database at argv[2] and prints each one's summary as a JSON line.
// Spawned under a capped heap by capped-heap.test.ts, as a Vercel function of that memory size.
import { createDb } from "../../src/db/client.js";
import { heartbeat } from "../../src/jobs/heartbeat.js";
import { testDeps } from "../helpers/deps.js";

const [, , url, beats, startAt] = process.argv;
const db = createDb({ url: url!, busyTimeoutMs: 5000 });
const deps = testDeps({ db });
deps.testClock.set(Number(startAt));
let peak = 0;
const sample = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().heapUsed);
}, 5);
for (let i = 0; i < Number(beats); i++) {
  const summary = await heartbeat(deps, deps.clock());
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  process.stdout.write(`${JSON.stringify({ beat: i, summary, peakHeapMb: Math.round(peak / 1e6) })}\n`);
  deps.testClock.advance(60_000);
}
clearInterval(sample);
db.close();

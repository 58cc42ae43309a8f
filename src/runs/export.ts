import type { Db } from "../db/client.js";
import { getRunOrThrow } from "./recording.js";
import { executionJson, runJson, toExecution, toRun, type Run } from "./types.js";

const PAGE = 1000;

/**
 * The export as a stream of JSON text, read page by page (keyset on id) only as fast as the
 * client takes it: a million rows neither sit in memory nor wait for a single query.
 */
export async function exportStream(db: Db, now: number, session?: string): Promise<ReadableStream<Uint8Array>> {
  const run = session ? await getRunOrThrow(db, session) : undefined;
  const encoder = new TextEncoder();
  const chunks = generate(db, now, run);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

async function* generate(db: Db, now: number, run: Run | undefined): AsyncGenerator<string> {
  const runId = run?.id;
  yield `{"exportedAt":${JSON.stringify(new Date(now).toISOString())},"orchestrations":[`;
  let first = true;
  // One session's run is already read: reading it again would cost a round trip.
  if (run) {
    yield JSON.stringify(runJson(run));
  } else {
    for await (const row of pages(db, "orchestrations", "1", undefined)) {
      yield (first ? "" : ",") + JSON.stringify(runJson(toRun(row)));
      first = false;
    }
  }
  yield `],"executions":[`;
  first = true;
  for await (const row of pages(db, "agent_executions", runId === undefined ? "1" : "orchestration_id = ?", runId)) {
    yield (first ? "" : ",") + JSON.stringify(executionJson(toExecution(row)));
    first = false;
  }
  yield "]}";
}

async function* pages(db: Db, table: "orchestrations" | "agent_executions", filter: string, arg: number | undefined) {
  let after = 0;
  for (;;) {
    const rs = await db.execute({
      sql: `SELECT * FROM ${table} WHERE id > ? AND ${filter} ORDER BY id LIMIT ${PAGE}`,
      args: arg === undefined ? [after] : [after, arg],
    });
    for (const row of rs.rows) yield row;
    if (rs.rows.length < PAGE) return;
    after = Number(rs.rows.at(-1)!.id);
  }
}

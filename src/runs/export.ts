import type { Db } from "../db/client.js";
import { getRunOrThrow } from "./recording.js";
import { toExecution, toRun, type Execution, type Run } from "./types.js";

const PAGE = 1000;

/** How the caller shows each record (the API: its answers' shapes, with ISO-8601 times). */
interface ExportShapes {
  exportedAt: (now: number) => string;
  run: (run: Run) => unknown;
  execution: (execution: Execution) => unknown;
}

/**
 * The export as a stream of JSON text, read page by page (keyset on id) only as fast as the
 * client takes it: a million rows neither sit in memory nor wait for a single query.
 */
export async function exportStream(db: Db, now: number, shapes: ExportShapes, session?: string): Promise<ReadableStream<Uint8Array>> {
  const run = session ? await getRunOrThrow(db, session) : undefined;
  const encoder = new TextEncoder();
  const chunks = generate(db, now, shapes, run);
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

async function* generate(db: Db, now: number, shapes: ExportShapes, run: Run | undefined): AsyncGenerator<string> {
  const runId = run?.id;
  yield `{"exportedAt":${JSON.stringify(shapes.exportedAt(now))},"orchestrations":[`;
  let first = true;
  // One session's run is already read: reading it again would cost a round trip.
  if (run) {
    yield JSON.stringify(shapes.run(run));
  } else {
    for await (const row of pages(db, "orchestrations", "1", undefined)) {
      yield (first ? "" : ",") + JSON.stringify(shapes.run(toRun(row)));
      first = false;
    }
  }
  yield `],"executions":[`;
  first = true;
  for await (const row of pages(db, "agent_executions", runId === undefined ? "1" : "orchestration_id = ?", runId)) {
    yield (first ? "" : ",") + JSON.stringify(shapes.execution(toExecution(row)));
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

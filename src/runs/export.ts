import type { Db } from "../db/client.js";
import { getRunOrThrow } from "./recording.js";
import { executionsById, runsById } from "./store/runs.js";
import type { Execution, Run } from "./types.js";

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
    for await (const each of runsById(db, PAGE)) {
      yield (first ? "" : ",") + JSON.stringify(shapes.run(each));
      first = false;
    }
  }
  yield `],"executions":[`;
  first = true;
  for await (const execution of executionsById(db, PAGE, runId)) {
    yield (first ? "" : ",") + JSON.stringify(shapes.execution(execution));
    first = false;
  }
  yield "]}";
}

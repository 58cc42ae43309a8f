// A session's transcript read from its stored observations, only as far as the judge can use:
// the model sees the start and the end of a long conversation (transcript.ts), so the rows are
// read in chunks from both ends and reading stops once each end alone fills the budget. One
// conversation of thousands of observations then costs a few chunks, not all of them at once.
import type { Row } from "@libsql/client";
import type { Db } from "../db/client.js";
import { observationsAfter, observationsBefore, type ObservationKey } from "./store/sessions.js";
import { buildTranscript, type StoredObservation, type Transcript } from "./transcript.js";

const CHUNK_ROWS = 100;

type Key = ObservationKey;
interface Chunk {
  observations: StoredObservation[];
  last: Key | undefined;
}

const parse = (rows: Row[]): Chunk => ({
  observations: rows.map((r) => JSON.parse(String(r.data)) as StoredObservation),
  last: rows.length ? [Number(rows.at(-1)!.start_time), String(rows.at(-1)!.id)] : undefined,
});

/** Characters of transcript an ordered run of observations yields. */
const turnChars = (observations: StoredObservation[]) =>
  buildTranscript(observations, Number.MAX_SAFE_INTEGER).turns.reduce((n, t) => n + t.text.length + 30, 0);

export async function loadTranscript(db: Db, sessionKey: string, maxChars: number): Promise<Transcript> {
  const head: StoredObservation[] = [];
  const tail: StoredObservation[][] = [];
  let headKey: Key | undefined;
  let tailKey: Key | undefined;
  let met = false;
  for (let chars = 0; chars < maxChars && !met; ) {
    const rs = await db.execute(observationsAfter(sessionKey, headKey, CHUNK_ROWS));
    const chunk = parse(rs.rows);
    head.push(...chunk.observations);
    chars += turnChars(chunk.observations);
    headKey = chunk.last ?? headKey;
    if (rs.rows.length < CHUNK_ROWS) met = true;
  }
  for (let chars = 0; chars < maxChars && !met; ) {
    // Newest first, down to where the head stopped.
    const rs = await db.execute(observationsBefore(sessionKey, headKey!, tailKey, CHUNK_ROWS));
    const chunk = parse(rs.rows);
    const observations = chunk.observations.reverse();
    tail.unshift(observations);
    chars += turnChars(observations);
    tailKey = chunk.last ?? tailKey;
    if (rs.rows.length < CHUNK_ROWS) met = true;
  }
  return buildTranscript([...head, ...tail.flat()], maxChars);
}

/**
 * The caller and bot turns of a whole session, counted a chunk at a time (a session page must not
 * hold every observation of a giant session at once). A caller line repeated across a chunk
 * boundary is counted once, as buildTranscript counts it within one.
 */
export async function countTurns(db: Db, sessionKey: string): Promise<number> {
  let turns = 0;
  let lastCaller: string | undefined;
  let key: Key | undefined;
  for (;;) {
    const rs = await db.execute(observationsAfter(sessionKey, key, CHUNK_ROWS));
    const chunk = parse(rs.rows);
    const said = buildTranscript(chunk.observations, Number.MAX_SAFE_INTEGER).turns.filter((t) => t.role !== "tool");
    const firstCaller = said.find((t) => t.role === "caller");
    turns += said.length - (firstCaller && firstCaller.text === lastCaller ? 1 : 0);
    lastCaller = said.findLast((t) => t.role === "caller")?.text ?? lastCaller;
    key = chunk.last;
    if (rs.rows.length < CHUNK_ROWS) return turns;
  }
}

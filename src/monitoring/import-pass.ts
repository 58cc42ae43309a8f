// Reading one span of start times in slices that survive the cycle: a slice is read newest first
// (as Langfuse pages), and after each page the part already read is remembered, so the next cycle
// goes on below it instead of starting the slice again. A page Langfuse cannot serve (422, a
// timeout, a 5xx) is asked again smaller: half the rows, then half the time.
import { UpstreamError } from "../errors.js";
import {
  narrowable,
  pageSize,
  type LangfuseApi,
  type RequestGate,
  type TraceObservation,
  type TraceSource,
} from "../integrations/langfuse.js";

/** [from, end) is read; the gap [mark, from) is not yet. */
interface Ahead {
  from: number;
  end: number;
  /** The slice was first read after Langfuse's read lag had passed its end: it needs no second read. */
  settles: boolean;
}

export interface PassState {
  mark: number;
  ahead?: Ahead;
}

/** How big a request is: the time a slice spans and the rows a page holds. Kept across cycles. */
export interface Shape {
  api: LangfuseApi | undefined;
  sliceMs: number;
  limit: number;
}

const MIN_SLICE_MS = 1_000;
export const MAX_SLICE_MS = 7 * 24 * 3600_000;
const MIN_PAGE = 50;
// A slice aims at this share of its pages, so a busier hour still fits.
const PAGE_FILL = 0.7;
// A slice of several pages keeps pages full (only its last is partly filled); v1 also lists a
// slice's traces before its observations, so its slices hold more pages to spread that.
const slicePages = (api: LangfuseApi | undefined) => (api === "v1" ? 10 : 4);
// Failed pages a cycle narrows for before it gives up until the next cycle (an outage is not load).
const NARROWINGS_PER_CYCLE = 3;

export interface PassIo {
  source: TraceSource;
  gate: RequestGate;
  shape: Shape;
  /** Stores a page; the pass's position (already moved past the page) is saved with it. */
  store(page: TraceObservation[]): Promise<void>;
  /** The pass's position, after a slice completed (or before stopping with a part read). */
  save(): Promise<void>;
  sliceDone(pass: PassState, start: number, slice: Ahead): Promise<void>;
  apiSeen(api: LangfuseApi): Promise<void>;
  narrowed(reason: string): void;
  requests: number;
}

/**
 * Reads [p.mark, target) into the store, oldest slice first; returns false when the request or
 * time budget ran out first. Slices that end at or before `settleAt` are marked settled.
 */
export async function readPass(io: PassIo, p: PassState, target: number, settleAt: number): Promise<boolean> {
  let failures = 0;
  while (p.mark < target) {
    if (!p.ahead) {
      let end = Math.min(p.mark + io.shape.sliceMs, target);
      // The part past Langfuse's read lag is a slice of its own, so it settles on this read.
      if (p.mark < settleAt && end > settleAt) end = settleAt;
      p.ahead = { from: end, end, settles: end <= settleAt };
    }
    const ahead = p.ahead;
    if (io.shape.api) io.shape.limit = Math.min(io.shape.limit, pageSize(io.shape.api));
    const to = ahead.from;
    const from = Math.max(p.mark, to - io.shape.sliceMs);
    let count = 0;
    let storeError: unknown;
    const onPage = async (page: TraceObservation[]) => {
      count += page.length;
      // Newest first: everything at or after the page's oldest start is read (ties are read again).
      const oldest = Math.min(...page.map((o) => o.startTime).filter(Number.isFinite));
      if (oldest >= from) ahead.from = Math.max(from, Math.min(ahead.from, Math.floor(oldest) + 1));
      try {
        await io.store(page);
      } catch (error) {
        storeError = error;
        throw error;
      }
    };
    let read;
    try {
      read = await io.source.readSlice({ from, to, api: io.shape.api, limit: io.shape.limit }, io.gate, onPage);
    } catch (error) {
      io.requests += (error as { requests?: number }).requests ?? 0;
      if (storeError) throw storeError;
      const failure = error instanceof UpstreamError ? error : new UpstreamError(String(error), true, { cause: error });
      if (!narrowable(failure) || ++failures > NARROWINGS_PER_CYCLE || !narrow(io.shape, to - from)) {
        await io.save();
        throw failure;
      }
      io.narrowed(failure.message);
      continue;
    }
    io.requests += read.requests;
    if (read.requests === 0) break; // nothing was asked: no budget left
    await io.apiSeen(read.api);
    io.shape.api = read.api;
    if (!read.complete) break;
    failures = 0;
    ahead.from = from;
    const span = to - from;
    const fits = count > 0 ? (span * PAGE_FILL * io.shape.limit * slicePages(io.shape.api)) / count : MAX_SLICE_MS;
    io.shape.sliceMs = Math.round(Math.max(MIN_SLICE_MS, Math.min(MAX_SLICE_MS, io.shape.sliceMs * 4, fits)));
    if (ahead.from <= p.mark) {
      const start = p.mark;
      p.mark = ahead.end;
      p.ahead = undefined;
      // A page that fit again: the next slice may ask for full pages.
      io.shape.limit = Math.min(pageSize(io.shape.api), io.shape.limit * 2);
      await io.sliceDone(p, start, ahead);
    }
  }
  await io.save();
  return p.mark >= target;
}

/** Half the rows a page holds, down to MIN_PAGE; then half the time a slice spans, down to MIN_SLICE_MS. */
function narrow(shape: Shape, span: number): boolean {
  if (shape.limit > MIN_PAGE) {
    shape.limit = Math.max(MIN_PAGE, Math.floor(shape.limit / 2));
    return true;
  }
  const half = Math.floor(Math.min(shape.sliceMs, span) / 2);
  if (half < MIN_SLICE_MS) return false;
  shape.sliceMs = half;
  return true;
}

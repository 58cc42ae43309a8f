import { connect, createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/**
 * A TCP proxy that holds every chunk for half the round-trip time in each direction, so a client
 * in this process talks to a local server as it would to Turso from a Vercel region. It reads the
 * HTTP/1.1 framing passing through (request heads, Content-Length or chunked bodies) to count
 * requests and round trips; it never changes a byte.
 *
 * Round trips are the requests on the critical path: a request's depth is one more than the
 * deepest request whose response had fully reached the client when this one's first byte left
 * it, so requests in flight together share one round trip and requests sent one after another
 * add one each. A request on a new connection adds one more: its TCP handshake (TLS, which
 * Turso adds, is not modelled).
 */
export interface LatencyProxy {
  url: string;
  /** HTTP requests since the last reset. */
  requests: number;
  /** Sequential round trips since the last reset. */
  roundTrips: number;
  /** TCP connections opened since the last reset: each costs a round trip of its own (the handshake) before its first request. */
  connections: number;
  reset(): void;
  close(): Promise<void>;
}

export async function startLatencyProxy(options: { target: string; rttMs: number }): Promise<LatencyProxy> {
  const target = new URL(options.target);
  const half = options.rttMs / 2;
  const meter = { requests: 0, roundTrips: 0, connections: 0, finishedDepth: 0, epoch: 0 };
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    // Without this, Nagle's algorithm and delayed ACKs add their own 40 ms to small writes.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    // Requests waiting for their response on this connection, in order (HTTP/1.1 answers in order).
    const pending: { depth: number; epoch: number }[] = [];
    let handshake = 1;
    const requests = httpFramer(() => {
      meter.requests++;
      // The first request on a connection waited for its handshake: a round trip before its own.
      const depth = meter.finishedDepth + 1 + handshake;
      handshake = 0;
      meter.roundTrips = Math.max(meter.roundTrips, depth);
      pending.push({ depth, epoch: meter.epoch });
    });
    const responses = httpFramer(() => {
      const done = pending.shift();
      if (done && done.epoch === meter.epoch) meter.finishedDepth = Math.max(meter.finishedDepth, done.depth);
    });
    // A request counts from when it leaves the client, a response once it has reached the client.
    meter.connections++;
    // The client's first bytes wait out the TCP handshake (one round trip) the proxy answered locally.
    const openAt = Date.now() + options.rttMs;
    client.on("data", (chunk) => {
      requests.feed(chunk);
      setTimeout(() => upstream.write(chunk), Math.max(0, openAt - Date.now()) + half);
    });
    upstream.on("data", (chunk) =>
      setTimeout(() => {
        client.write(chunk);
        responses.feed(chunk);
      }, half),
    );
    const end = () => {
      setTimeout(() => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      }, half);
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(meter, {
    url: `${target.protocol}//127.0.0.1:${(server.address() as AddressInfo).port}`,
    reset() {
      Object.assign(meter, { requests: 0, roundTrips: 0, connections: 0, finishedDepth: 0, epoch: meter.epoch + 1 });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
}

/**
 * Finds where each HTTP/1.1 message ends in a byte stream and calls `onMessage` for each:
 * at the end of a request's head (a request has started), and at the end of a whole
 * response (its body by Content-Length or chunked encoding).
 */
function httpFramer(onMessage: () => void) {
  let buf = Buffer.alloc(0);
  let state: "head" | "body" | "chunks" = "head";
  let remaining = 0;
  let isRequest = false;
  const step = (): boolean => {
    if (state === "head") {
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return false;
      const head = buf.subarray(0, end).toString("latin1");
      buf = buf.subarray(end + 4);
      isRequest = !head.startsWith("HTTP/");
      if (isRequest) onMessage();
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) state = "chunks";
      else if (length && Number(length[1]) > 0) [state, remaining] = ["body", Number(length[1])];
      else if (!isRequest) onMessage();
      return true;
    }
    if (state === "body") {
      const take = Math.min(remaining, buf.length);
      buf = buf.subarray(take);
      remaining -= take;
      if (remaining > 0) return false;
      state = "head";
      if (!isRequest) onMessage();
      return true;
    }
    // Chunked: "<hex size>\r\n<data>\r\n", ending with a zero-size chunk and an empty trailer.
    if (remaining > 0) {
      const take = Math.min(remaining, buf.length);
      buf = buf.subarray(take);
      remaining -= take;
      return remaining === 0;
    }
    const eol = buf.indexOf("\r\n");
    if (eol < 0) return false;
    const size = Number.parseInt(buf.subarray(0, eol).toString("latin1"), 16);
    if (size === 0) {
      if (buf.length < eol + 4) return false;
      buf = buf.subarray(eol + 4);
      state = "head";
      if (!isRequest) onMessage();
      return true;
    }
    buf = buf.subarray(eol + 2);
    remaining = size + 2;
    return true;
  };
  return {
    feed(chunk: Buffer) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : Buffer.from(chunk);
      while (buf.length > 0 && step()) {}
    },
  };
}

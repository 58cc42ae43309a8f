import { connect, type Socket } from "node:net";

// The smallest Redis (RESP2) client the Upstash REST fake needs: ordered commands over one socket.
// Framing as redis/redis src/networking.c writes replies (+simple, -error, :integer, $bulk with
// $-1 for nil, *array) and reads commands (an array of bulk strings).

export class RespError extends Error {}
export type RespValue = string | number | null | RespError | RespValue[];

export class RespClient {
  private buffer = Buffer.alloc(0);
  private pending: { resolve: (v: RespValue) => void; reject: (e: Error) => void }[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const parsed = parse(this.buffer, 0);
        if (!parsed) break;
        this.buffer = this.buffer.subarray(parsed[1]);
        this.pending.shift()?.resolve(parsed[0]);
      }
    });
    socket.on("error", (error) => {
      for (const p of this.pending.splice(0)) p.reject(error);
    });
  }

  static connect(port: number): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => resolve(new RespClient(socket)));
      socket.once("error", reject);
    });
  }

  command(args: (string | number)[]): Promise<RespValue> {
    const parts = args.map(String);
    const wire = `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join("")}`;
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.write(wire);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

function parse(buf: Buffer, at: number): [RespValue, number] | undefined {
  const lineEnd = buf.indexOf("\r\n", at);
  if (lineEnd === -1) return undefined;
  const kind = String.fromCharCode(buf[at]!);
  const line = buf.toString("utf8", at + 1, lineEnd);
  const next = lineEnd + 2;
  switch (kind) {
    case "+":
      return [line, next];
    case "-":
      return [new RespError(line), next];
    case ":":
      return [Number(line), next];
    case "$": {
      const len = Number(line);
      if (len === -1) return [null, next];
      if (buf.length < next + len + 2) return undefined;
      return [buf.toString("utf8", next, next + len), next + len + 2];
    }
    case "*": {
      const count = Number(line);
      if (count === -1) return [null, next];
      const items: RespValue[] = [];
      let offset = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buf, offset);
        if (!item) return undefined;
        items.push(item[0]);
        offset = item[1];
      }
      return [items, offset];
    }
    default:
      throw new Error(`unexpected RESP type ${kind}`);
  }
}

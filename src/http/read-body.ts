import type { Context } from "hono";
import { PayloadTooLargeError } from "../errors.js";

/**
 * The request body, refused with 413 as soon as it passes `limit` bytes. A declared
 * content-length is checked before reading (Node's parser holds the sender to it, and
 * arrayBuffer() is the fast path there); a chunked body is read with a byte counter and
 * abandoned at the limit, so an endless upload costs at most `limit` bytes of memory.
 * @hono/node-server drains (and, past its own bound, closes) what is left after the answer.
 */
export async function readBodyWithin(c: Context, limit: number, what: string): Promise<Uint8Array> {
  const tooLarge = () => new PayloadTooLargeError(`${what} is larger than ${limit} bytes`);
  const declared = c.req.header("content-length");
  if (declared !== undefined) {
    if (Number(declared) > limit) throw tooLarge();
    return new Uint8Array(await c.req.arrayBuffer());
  }
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

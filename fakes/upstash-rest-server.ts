import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startRedis } from "./redis-server.js";
import { RespClient, RespError, type RespValue } from "./resp-client.js";

export const UPSTASH_TOKEN = "upstash-test-token-77e0";

export interface UpstashRestServer {
  url: string;
  token: string;
  /** Commands received, by name (upper case), for assertions. */
  calls: string[];
  close(): Promise<void>;
}

const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");

/**
 * Speaks Upstash's REST protocol (POST / with a command array, /pipeline, /multi-exec,
 * Bearer token, base64 results when asked) in front of a real redis-server, as the client
 * installed here sends and reads it (upstash/redis-js pkg/http.ts: `Upstash-Encoding: base64`
 * by default, `{ result }` or `{ error }` per command, an array of them for a pipeline;
 * pkg/pipeline.ts: the `pipeline` and `multi-exec` paths). Upstash accepts
 * Lua scripts that begin with a `#!lua flags=…` line that plain Redis rejects, so scripts
 * are stored stripped and EVALSHA of the original hash is mapped to them.
 */
async function startUpstashRestServer(redisPort: number, token = UPSTASH_TOKEN): Promise<UpstashRestServer> {
  const redis = await RespClient.connect(redisPort);
  const scripts = new Map<string, string>();
  const calls: string[] = [];

  const run = async (command: (string | number)[]): Promise<RespValue> => {
    const [name, ...args] = command;
    const upper = String(name).toUpperCase();
    calls.push(upper);
    if (upper === "EVAL" || upper === "SCRIPT") {
      const isLoad = upper === "SCRIPT" && String(args[0]).toUpperCase() === "LOAD";
      const script = String(isLoad ? args[1] : args[0]);
      const stripped = script.replace(/^#!lua[^\n]*\n/, "");
      scripts.set(sha1(script), stripped);
      if (isLoad) {
        await redis.command(["SCRIPT", "LOAD", stripped]);
        return sha1(script);
      }
      return redis.command(["EVAL", stripped, ...args.slice(1)]);
    }
    if (upper === "EVALSHA") {
      const known = scripts.get(String(args[0]));
      if (known !== undefined) return redis.command(["EVALSHA", sha1(known), ...args.slice(1)]);
    }
    return redis.command(command);
  };

  const encode = (value: RespValue, base64: boolean): unknown => {
    if (Array.isArray(value)) return value.map((v) => encode(v, base64));
    if (typeof value === "string" && base64 && value !== "OK") return Buffer.from(value).toString("base64");
    return value;
  };
  const answer = (value: RespValue, base64: boolean) =>
    value instanceof RespError ? { error: value.message } : { result: encode(value, base64) };

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: "Unauthorized" });
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString() || "null");
      if (req.url === "/pipeline" || req.url === "/multi-exec") {
        const results = [];
        for (const command of body as (string | number)[][]) results.push(answer(await run(command), base64));
        return send(200, results);
      }
      const result = answer(await run(body as (string | number)[]), base64);
      return send("error" in result ? 400 : 200, result);
    } catch (error) {
      return send(400, { error: `ERR ${(error as Error).message}` });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    calls,
    close: () =>
      new Promise((resolve) => {
        redis.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Upstash as tests meet it: a fresh redis-server with the REST fake in front; `close` stops both. */
export async function startUpstash(): Promise<UpstashRestServer> {
  const redis = await startRedis();
  const rest = await startUpstashRestServer(redis.port);
  return {
    ...rest,
    close: async () => {
      await rest.close();
      await redis.stop();
    },
  };
}

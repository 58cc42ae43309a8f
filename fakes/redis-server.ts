import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface RedisServer {
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts Debian's redis-server on a free loopback port, with no persistence: the real server
 * (redis/redis src/server.c), not a stand-in, behind the Upstash REST fake.
 */
export async function startRedis(): Promise<RedisServer> {
  if (spawnSync("redis-server", ["--version"]).error) {
    throw new Error("redis-server is not installed: run .ci/run (it installs Debian's redis-server) or apt-get install redis-server");
  }
  // redis-server cannot pick its own port (0 turns TCP off), and the free port found is free only
  // until redis binds it: anything else on the machine may take it in between. Then another one.
  for (let attempt = 1; ; attempt++) {
    const started = await startOn(await freePort());
    if (started.ok) return started.redis;
    if (!started.portTaken || attempt === 5) throw new Error(started.error);
  }
}

type Start = { ok: true; redis: RedisServer } | { ok: false; portTaken: boolean; error: string };

function startOn(port: number): Promise<Start> {
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const redis: RedisServer = {
    port,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
  return new Promise<Start>((resolve) => {
    // Kept whole: the line we wait for may arrive split between two reads.
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve({ ok: false, portTaken: false, error: `redis-server did not start:\n${out}` });
    }, 10_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve({ ok: true, redis });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ ok: false, portTaken: /address already in use/i.test(out), error: `redis-server exited with ${code}:\n${out}` });
    });
  });
}

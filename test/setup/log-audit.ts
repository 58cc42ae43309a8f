import { afterAll, beforeAll, expect } from "vitest";
import { drainLogLines, tapLogLine } from "../helpers/log-tap.js";
import { findLeaks } from "../helpers/log-leaks.js";

// Guarantee checked for every test file: nothing a test file logs — through the app's logger,
// a child server, or raw stdout/stderr — contains a secret, an Authorization credential or a
// line of a conversation transcript.

const tee = globalThis as { __vigilTee?: boolean };
if (!tee.__vigilTee) {
  tee.__vigilTee = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      tapLogLine(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString());
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}

beforeAll(() => void drainLogLines());

afterAll(() => {
  const leaks = findLeaks(drainLogLines());
  expect(leaks, "secrets or transcript text in the logs").toEqual([]);
});

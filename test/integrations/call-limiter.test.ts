import { describe, expect, it } from "vitest";
import { createLocalCallLimiter } from "../../src/integrations/call-limiter.js";

describe("createLocalCallLimiter", () => {
  it("admits the limit per minute, then waits for the window or gives up after the longest wait allowed", async () => {
    let now = 0;
    const limiter = createLocalCallLimiter(3, () => now);
    const admitted = [];
    for (let i = 0; i < 3; i++) admitted.push(await limiter.acquire(10_000));
    expect(admitted).toEqual([true, true, true]);
    // The fourth would have to wait 60 s: past a 10 s deadline it is refused at once.
    expect(await limiter.acquire(10_000)).toBe(false);
    // A minute later is not enough: the provider, seeing arrivals a little later, could count 4.
    now = 60_000;
    expect(await limiter.acquire(500)).toBe(false);
    now = 61_000;
    expect(await limiter.acquire(59_000)).toBe(true);
  });
});

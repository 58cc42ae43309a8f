import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { decodeCursor, encodeCursor } from "../../src/shared/cursor.js";

describe("pagination cursors", () => {
  it.each([
    [0, 0],
    [1_763_899_200_000, 42],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ])("round-trip (%d, %d)", (at, id) => {
    const cursor = encodeCursor(at, id);
    expect(cursor, "a cursor is URL-safe as it is").toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual([at, id]);
  });

  it.each([
    ["garbage", "garbage"],
    ["empty", ""],
    ["a time without an id", Buffer.from("1763899200000").toString("base64url")],
    ["a negative time", Buffer.from("-1:2").toString("base64url")],
    ["trailing text", Buffer.from("1:2;DROP").toString("base64url")],
  ])("rejects %s with a ValidationError naming the cursor field", (_name, cursor) => {
    let thrown: unknown;
    try {
      decodeCursor(cursor);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).message).toBe("Invalid cursor");
    expect((thrown as ValidationError).problems).toEqual([{ field: "cursor", message: "not a cursor this API returned" }]);
  });
});

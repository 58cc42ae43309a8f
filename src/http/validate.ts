import { ValidationError } from "../errors.js";

// Domain code parses with it too, so it lives outside http/; routes keep importing it from here.
export { parseInput } from "../shared/parse-input.js";

/** Reads a JSON body, with a 400 (not a 500) for bodies that are not JSON. */
export async function readJson(req: { text(): Promise<string> }): Promise<unknown> {
  const text = await req.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError("Request body must be valid JSON", [{ field: "body", message: "not valid JSON" }]);
  }
}

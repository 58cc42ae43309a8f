import { ValidationError } from "../errors.js";

/** Reads a JSON body, with a 400 (not a 500) for bodies that are not JSON. */
export async function readJson(req: { text(): Promise<string> }): Promise<unknown> {
  const text = await req.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError("Request body must be valid JSON", [{ field: "body", message: "not valid JSON" }]);
  }
}

import type { z } from "zod";
import { ValidationError } from "../errors.js";

/** Parses input with a zod schema, turning failures into a ValidationError that names each field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = "request"): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) =>
    // A strict object names each field it does not know, so a misspelling points at itself.
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ field: [...issue.path, key].map(String).join("."), message: "unknown field" }))
      : [{ field: issue.path.map(String).join(".") || what, message: issue.message }],
  );
  const summary = problems.map((p) => `${p.field}: ${p.message}`).join("; ");
  throw new ValidationError(`Invalid ${what}: ${summary}`, problems);
}

import type { MiddlewareHandler } from "hono";
import { ValidationError } from "../errors.js";
import { hasControlCharacters } from "../security/control-characters.js";

/** Path parameters are ids: a percent-encoded control character (%00, %0A…) is refused with 400. */
export const refuseControlCharactersInPath: MiddlewareHandler = async (c, next) => {
  const path = c.req.path;
  if (!path.includes("%") && !hasControlCharacters(path)) return next();
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw new ValidationError("The path is not valid percent-encoding", [{ field: "path", message: "invalid percent-encoding" }]);
  }
  if (hasControlCharacters(decoded))
    throw new ValidationError("The path must not contain control characters", [{ field: "path", message: "contains control characters" }]);
  await next();
};

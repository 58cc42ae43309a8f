import { z } from "zod";

// Pieces of the routes' query schemas (each route declares its own next to its handler).

export const isoTime = z.iso.datetime({ offset: true }).transform((v) => Date.parse(v));
/** A whole number from the query string, 1…max, `fallback` when absent (a limit, a number of hours). */
export const wholeNumber = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

import { z } from "zod";

// Pieces of the routes' query schemas (each route declares its own next to its handler).

export const isoTime = z.iso.datetime({ offset: true }).transform((v) => Date.parse(v));
// Digits only: z.coerce.number() would also read "0x10" as 16, "1e2" as 100 and " 5 " as 5.
const digits = z.string().regex(/^\d{1,15}$/, "must be a whole number written in digits");

/** A whole number from the query string or path, 1…max. */
export const countingNumber = (max: number) => digits.transform(Number).pipe(z.number().int().min(1).max(max));

/** A whole number from the query string, 1…max, `fallback` when absent (a limit, a number of hours). */
export const wholeNumber = (fallback: number, max: number) => countingNumber(max).default(fallback);

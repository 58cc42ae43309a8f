import { z } from "zod";

// Pieces of the routes' query schemas (each route declares its own next to its handler).

export const isoTime = z.iso.datetime({ offset: true }).transform((v) => Date.parse(v));
export const limit = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);
export const hours = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

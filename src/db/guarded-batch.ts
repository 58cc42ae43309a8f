import type { InStatement } from "@libsql/client";

declare const guard: unique symbol;
/** An SQL boolean expression without parameters; only this module makes one, so only it decides the order. */
type Guard = string & { readonly [guard]: true };

/**
 * A write that can be made conditional. `when` has no parameters, so the statement can put it
 * anywhere in its WHERE clause without shifting its own arguments.
 */
export type Conditional = (when: Guard) => InStatement;

/** A dependent that is itself the primary of further dependents (they run only if it changed a row). */
interface Nested {
  primary: Conditional;
  dependents: Dependent[];
}

export type Dependent = Conditional | Nested;

// SQLite's changes() counts the rows of the statement that completed last, so it only speaks for
// the primary in the statement right after it; the other dependents of the same primary read the
// outcome from a flag set there (one per nesting depth, so an inner group leaves the outer's alone).
// The flag costs a statement and a row written, so a group with one dependent goes without it.
const CHANGED = "(changes() > 0)" as Guard;
const armed = (depth: number) => `((SELECT armed FROM batch_guards WHERE depth = ${depth}) = 1)` as Guard;
const arm = (depth: number): InStatement =>
  `INSERT INTO batch_guards (depth, armed) VALUES (${depth}, changes() > 0) ON CONFLICT (depth) DO UPDATE SET armed = excluded.armed`;

/**
 * The statements of one guarded group, in the order that makes the guard hold: the primary first
 * (its result is the group's first), then each dependent, written only if the primary changed a
 * row. Groups are independent of one another, so several can share one batch. They must run in
 * order on one connection and in one transaction: `db.batch(..., "write")` or a transaction.
 */
export function guarded(primary: InStatement, ...dependents: Dependent[]): InStatement[] {
  return group(primary, dependents, 0);
}

/** A dependent with dependents of its own: they are written only if it changed a row. */
export function whenChanged(primary: Conditional, ...dependents: Dependent[]): Dependent {
  return { primary, dependents };
}

/** A conditional write used on its own. */
export const unconditional = (statement: Conditional): InStatement => statement("1" as Guard);

function group(primary: InStatement, dependents: Dependent[], depth: number): InStatement[] {
  if (dependents.length <= 1) return [primary, ...dependents.flatMap((d) => dependent(d, CHANGED, depth + 1))];
  return [primary, arm(depth), ...dependents.flatMap((d) => dependent(d, armed(depth), depth + 1))];
}

function dependent(d: Dependent, when: Guard, depth: number): InStatement[] {
  return typeof d === "function" ? [d(when)] : group(d.primary(when), d.dependents, depth);
}

import { type Fixture, FIXTURES } from "../../fixtures/conversations.js";
import { fixtureObservations } from "../../fixtures/to-observations.js";
import type { MonitoringWorld } from "../helpers/monitoring.js";

/** The labelled conversations a judge gives a verdict to: in a session, not skipped. */
export const JUDGED = FIXTURES.filter((f) => f.session !== false && f.verdict !== "skipped");

/**
 * Puts `n` sessions `${prefix}-0`, `${prefix}-1`, … into the Langfuse fake, cycling through
 * `fixtures`, their traces from `at` on, half a second apart.
 */
export const sessionAdder =
  (fixtures: Fixture[]) =>
  (world: MonitoringWorld, n: number, at = world.clock.now(), prefix = "s") => {
    for (let i = 0; i < n; i++)
      world.langfuse.add(...fixtureObservations(fixtures[i % fixtures.length]!, at + i * 500, { sessionId: `${prefix}-${i}` }));
  };

export const addSessions = sessionAdder(JUDGED);

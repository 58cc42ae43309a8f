// What one Langfuse observation cost the bot, in US dollars, as Langfuse's public API serves it
// (langfuse/langfuse, read from its source):
// - `costDetails` (v2 `usage` field group, and v1): USD per cost type; the worker writes `total`
//   whenever it knows any cost, provided or computed from the model's prices
//   (worker/src/services/IngestionService/index.ts calculateUsageCosts). An observation with no
//   known cost has `{}`. OpenTelemetry spans fill it from `langfuse.observation.cost_details`,
//   `gen_ai.usage.cost` or OpenInference's `llm.cost.total`, each as `{ total }`
//   (packages/shared/src/server/otel/OtelIngestionProcessor.ts extractCostDetails).
// - `totalCost` (v2) and `calculatedTotalCost` (v1) are `Number(costDetails.total ?? 0)`
//   (packages/shared/src/server/repositories/observations_converters.ts reduceUsageOrCostDetails):
//   0 there says nothing, so they count only when positive and `costDetails` is absent (older servers).
// - legacy `usage.totalCost` (fern/apis/server/definition/commons.yml Usage), likewise.
// Anything else (a negative, a string, NaN, an absurd amount) is no cost: unknown, never $0.

/** One observation above this many dollars is no real model call: a unit or data error, ignored. */
const MAX_OBSERVATION_COST_USD = 10_000;

/** The fields a served observation may carry its cost in (any of them may be missing or hostile). */
export interface ServedCost {
  costDetails?: unknown;
  totalCost?: unknown;
  calculatedTotalCost?: unknown;
  usage?: unknown;
}

const amount = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= MAX_OBSERVATION_COST_USD ? v : undefined;
const positive = (v: unknown) => {
  const a = amount(v);
  return a !== undefined && a > 0 ? a : undefined;
};
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function fromDetails(details: Record<string, unknown>): number | undefined {
  const total = amount(details.total);
  if (total !== undefined) return total;
  // A provided breakdown without `total`: its parts are the cost (Langfuse's own definition of total).
  const parts = Object.entries(details).filter(([key]) => key !== "total");
  if (parts.length === 0 || parts.some(([, v]) => amount(v) === undefined)) return undefined;
  const sum = parts.reduce((a, [, v]) => a + (v as number), 0);
  return sum <= MAX_OBSERVATION_COST_USD ? sum : undefined;
}

/** The observation's cost in USD, or null when Langfuse knows none (or serves none that can be believed). */
export function observationCostUsd(o: ServedCost): number | null {
  if (isRecord(o.costDetails) && Object.keys(o.costDetails).length > 0) return fromDetails(o.costDetails) ?? null;
  return positive(o.totalCost) ?? positive(o.calculatedTotalCost) ?? (isRecord(o.usage) ? positive(o.usage.totalCost) : undefined) ?? null;
}

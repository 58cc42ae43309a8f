// What the judge's tokens cost, for the spend cap: USD per million tokens, OpenAI's list prices
// (openai.com/api/pricing, standard tier). A model is matched by name with a provider prefix
// ("openai/") and a snapshot date ("-2024-08-06") dropped; JUDGE_PRICE_* override the table.
export interface ModelPrice {
  inPerMTok: number;
  outPerMTok: number;
}

const MODEL_PRICES: Record<string, ModelPrice> = {
  "gpt-4o-mini": { inPerMTok: 0.15, outPerMTok: 0.6 },
  "gpt-4o": { inPerMTok: 2.5, outPerMTok: 10 },
  "gpt-4.1": { inPerMTok: 2, outPerMTok: 8 },
  "gpt-4.1-mini": { inPerMTok: 0.4, outPerMTok: 1.6 },
  "gpt-4.1-nano": { inPerMTok: 0.1, outPerMTok: 0.4 },
  "gpt-5": { inPerMTok: 1.25, outPerMTok: 10 },
  "gpt-5.1": { inPerMTok: 1.25, outPerMTok: 10 },
  "gpt-5-mini": { inPerMTok: 0.25, outPerMTok: 2 },
  "gpt-5-nano": { inPerMTok: 0.05, outPerMTok: 0.4 },
  o1: { inPerMTok: 15, outPerMTok: 60 },
  o3: { inPerMTok: 2, outPerMTok: 8 },
  "o3-mini": { inPerMTok: 1.1, outPerMTok: 4.4 },
  "o4-mini": { inPerMTok: 1.1, outPerMTok: 4.4 },
};

/** The table's price of `model`, or undefined when it has none. */
function tablePrice(model: string): ModelPrice | undefined {
  const name = model
    .toLowerCase()
    .replace(/^[\w-]+\//, "")
    .replace(/-\d{4}-\d{2}-\d{2}$/, "");
  return MODEL_PRICES[name];
}

/** The price the spend cap counts with: each override, else the table; undefined when neither knows. */
export function judgePrice(model: string, override: { inPerMTok?: number; outPerMTok?: number }): ModelPrice | undefined {
  const known = tablePrice(model);
  const inPerMTok = override.inPerMTok ?? known?.inPerMTok;
  const outPerMTok = override.outPerMTok ?? known?.outPerMTok;
  return inPerMTok === undefined || outPerMTok === undefined ? undefined : { inPerMTok, outPerMTok };
}

import type OpenAI from "openai";
import type { zodResponseFormat as ZodResponseFormat } from "openai/helpers/zod";
import type { z } from "zod";
import { errorMessage, UpstreamError } from "../errors.js";
import { parseRetryAfter } from "../shared/retry-after.js";

export interface JudgeRequest<S extends z.ZodType> {
  /** Names the structured-output schema (intent, fulfillment, diagnosis). */
  task: string;
  schema: S;
  system: string;
  user: string;
}

interface JudgeAnswer<T> {
  value: T;
  tokensIn: number;
  tokensOut: number;
  model: string;
}

/** The narrow interface the monitor needs from an OpenAI-compatible model. */
export interface JudgeModel {
  /** `timeoutMs` cuts the call's timeout (the time left before the caller's deadline). */
  ask<S extends z.ZodType>(request: JudgeRequest<S>, options?: { timeoutMs?: number }): Promise<JudgeAnswer<z.infer<S>>>;
}

/** The model answered, but not in the required shape, even when asked again: not worth retrying. */
export class JudgeSchemaError extends Error {
  constructor(
    message: string,
    readonly tokensIn: number,
    readonly tokensOut: number,
  ) {
    super(message);
    this.name = "JudgeSchemaError";
  }
}

type JudgeTemperature = number | "auto" | "omit";

// Reasoning models (o-series, GPT-5) accept only their default temperature: 400 "Unsupported value".
const REASONING_MODEL = /^(?:[\w-]+\/)?(?:o\d|gpt-5)/i;

type ReasoningEffort = "auto" | "omit" | "minimal" | "low" | "medium" | "high";

/** The reasoning effort to send: reasoning models only, "low" by default so a reply ends well inside the call timeout. */
function effortFor(model: string, setting: ReasoningEffort): Exclude<ReasoningEffort, "auto" | "omit"> | undefined {
  if (setting === "omit") return undefined;
  if (setting === "auto") return REASONING_MODEL.test(model) ? "low" : undefined;
  return setting;
}

/** The temperature to send, or undefined to send none (the model's default). */
function temperatureFor(model: string, setting: JudgeTemperature): number | undefined {
  if (setting === "omit") return undefined;
  if (setting === "auto") return REASONING_MODEL.test(model) ? undefined : 0;
  return setting;
}

/**
 * An OpenAI-compatible chat model as a judge. It asks for strict structured output
 * (json_schema) and, in `auto` mode, falls back to json_object mode with the schema in the
 * prompt on a server that refuses it (400 or 422 naming the format) or that accepts it and
 * answers something else (some OpenAI-compatible servers ignore response_format); the reply is
 * validated with the same zod schema either way. A model that refuses the temperature or the
 * reasoning effort is asked again without it. Usage is read from every response, also the ones
 * whose reply is then rejected: those tokens are billed too.
 */
interface Sdk {
  OpenAI: typeof OpenAI;
  zodResponseFormat: typeof ZodResponseFormat;
}
let sdk: Promise<Sdk> | undefined;
// Imported on first use: a function instance that judges nothing (every one but the monitor
// cron's) never parses the SDK, which was a fifth of the cold start.
const loadSdk = (): Promise<Sdk> =>
  (sdk ??= Promise.all([import("openai"), import("openai/helpers/zod")]).then(([o, z]) => ({
    OpenAI: o.default,
    zodResponseFormat: z.zodResponseFormat,
  })));

/** A judge over an OpenAI-compatible chat completions API; src/deps.ts builds it from the configuration. */
export function createOpenAIJudge(options: {
  apiKey: string;
  baseURL?: string;
  model: string;
  timeoutSeconds: number;
  temperature?: JudgeTemperature;
  responseFormat?: "auto" | "json_schema" | "json_object";
  maxCompletionTokens?: number;
  reasoningEffort?: ReasoningEffort;
}): JudgeModel {
  let client: OpenAI | undefined;
  let temperature = temperatureFor(options.model, options.temperature ?? "auto");
  let effort = effortFor(options.model, options.reasoningEffort ?? "auto");
  let mode: "json_schema" | "json_object" = options.responseFormat === "json_object" ? "json_object" : "json_schema";
  const canFallBack = (options.responseFormat ?? "auto") === "auto";

  const body = <S extends z.ZodType>(request: JudgeRequest<S>, { zodResponseFormat }: Sdk) => {
    const format = zodResponseFormat(request.schema, request.task);
    const system =
      mode === "json_schema"
        ? request.system
        : `${request.system}\n\nAnswer with one JSON object for "${request.task}" matching this JSON schema, and nothing else:\n${JSON.stringify(format.json_schema.schema)}`;
    return {
      model: options.model,
      ...(temperature === undefined ? {} : { temperature }),
      ...(effort === undefined ? {} : { reasoning_effort: effort }),
      ...(options.maxCompletionTokens === undefined ? {} : { max_completion_tokens: options.maxCompletionTokens }),
      messages: [
        { role: "system" as const, content: system },
        { role: "user" as const, content: request.user },
      ],
      response_format: mode === "json_schema" ? format : { type: "json_object" as const },
    };
  };

  // A server that took json_schema and answered outside it ignores the format: from then on the
  // schema goes in the prompt (json_object), for this ask's second attempt and every later one.
  const nonConforming = (sent: { response_format: { type: string } }) => {
    if (sent.response_format.type === "json_schema" && canFallBack) mode = "json_object";
  };

  return {
    async ask(request, askOptions) {
      const loaded = await loadSdk();
      const { OpenAI } = loaded;
      client ??= new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, timeout: options.timeoutSeconds * 1000, maxRetries: 0 });
      // Every attempt of this ask ends by the same time: a retry gets what is left, not more.
      const until = Date.now() + Math.min(options.timeoutSeconds * 1000, askOptions?.timeoutMs ?? Infinity);
      let tokensIn = 0;
      let tokensOut = 0;
      let model = options.model;
      let lastProblem = "";
      let adjustments = 0;
      // A reply that breaks the schema is asked for once more, then given up as permanent.
      for (let attempt = 0; attempt < 2; attempt++) {
        let completion;
        const sent = body(request, loaded);
        const left = until - Date.now();
        if (left <= 0)
          throw Object.assign(new UpstreamError("judge model: no time left for another attempt", true), { tokensIn, tokensOut });
        try {
          completion = await client.chat.completions.create(sent, { timeout: left });
        } catch (error) {
          // Judged by what this request sent: concurrent calls may have learned it already. Servers
          // answer an unsupported parameter 400 (OpenAI) or 422 (FastAPI-based ones).
          if (error instanceof OpenAI.APIError && (error.status === 400 || error.status === 422) && adjustments < 3) {
            const what = `${error.message} ${(error as { param?: string }).param ?? ""}`;
            if ("temperature" in sent && /temperature/i.test(what)) {
              temperature = undefined;
              adjustments++;
              attempt--;
              continue;
            }
            if ("reasoning_effort" in sent && /reasoning/i.test(what)) {
              effort = undefined;
              adjustments++;
              attempt--;
              continue;
            }
            if (sent.response_format.type === "json_schema" && canFallBack && /response_format|json_schema|structured/i.test(what)) {
              mode = "json_object";
              adjustments++;
              attempt--;
              continue;
            }
          }
          if (error instanceof OpenAI.APIError || error instanceof OpenAI.APIConnectionError)
            throw Object.assign(upstream(error, OpenAI), { tokensIn, tokensOut });
          throw error;
        }
        tokensIn += completion.usage?.prompt_tokens ?? 0;
        tokensOut += completion.usage?.completion_tokens ?? 0;
        model = completion.model ?? model;
        const choice = completion.choices[0];
        const message = choice?.message;
        if (message?.refusal) {
          lastProblem = `refused: ${message.refusal}`;
          continue;
        }
        if (choice?.finish_reason === "length") {
          lastProblem = "reply cut at the length limit";
          continue;
        }
        let json: unknown;
        try {
          json = JSON.parse(message?.content ?? "");
        } catch (error) {
          lastProblem = `not JSON: ${errorMessage(error)}`;
          nonConforming(sent);
          continue;
        }
        const parsed = request.schema.safeParse(json);
        if (parsed.success) return { value: parsed.data, tokensIn, tokensOut, model };
        lastProblem = parsed.error.message;
        nonConforming(sent);
      }
      throw new JudgeSchemaError(
        `${request.task}: model reply did not match the schema (${lastProblem.slice(0, 300)})`,
        tokensIn,
        tokensOut,
      );
    },
  };
}

function upstream(
  error: InstanceType<typeof OpenAI.APIError> | InstanceType<typeof OpenAI.APIConnectionError>,
  { APIError }: typeof OpenAI,
): UpstreamError {
  const status = error instanceof APIError ? error.status : undefined;
  const retryable = status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
  return new UpstreamError(`judge model call failed${status ? ` with HTTP ${status}` : `: ${error.message}`}`, retryable, {
    cause: error,
    retryAfterMs: error instanceof APIError ? parseRetryAfter(error.headers, Date.now()) : undefined,
  });
}

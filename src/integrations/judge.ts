import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import type { z } from "zod";
import { UpstreamError } from "../errors.js";

export interface JudgeRequest<S extends z.ZodType> {
  /** Names the structured-output schema (intent, fulfillment, diagnosis). */
  task: string;
  schema: S;
  system: string;
  user: string;
}

export interface JudgeAnswer<T> {
  value: T;
  tokensIn: number;
  tokensOut: number;
  model: string;
}

/** The narrow interface the monitor needs from an OpenAI-compatible model. */
export interface JudgeModel {
  ask<S extends z.ZodType>(request: JudgeRequest<S>): Promise<JudgeAnswer<z.infer<S>>>;
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

export function createOpenAIJudge(options: { apiKey: string; baseURL?: string; model: string; timeoutSeconds: number }): JudgeModel {
  const client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, timeout: options.timeoutSeconds * 1000, maxRetries: 0 });
  return {
    async ask(request) {
      let tokensIn = 0;
      let tokensOut = 0;
      let lastProblem = "";
      // A reply that breaks the schema is asked for once more, then given up as permanent.
      for (let attempt = 0; attempt < 2; attempt++) {
        let completion;
        try {
          completion = await client.chat.completions.parse({
            model: options.model,
            temperature: 0,
            messages: [
              { role: "system", content: request.system },
              { role: "user", content: request.user },
            ],
            response_format: zodResponseFormat(request.schema, request.task),
          });
        } catch (error) {
          if (error instanceof OpenAI.APIError || error instanceof OpenAI.APIConnectionError) throw upstream(error);
          // Unparseable JSON or a schema violation surfaced by the SDK's parser.
          lastProblem = error instanceof Error ? error.message : String(error);
          continue;
        }
        tokensIn += completion.usage?.prompt_tokens ?? 0;
        tokensOut += completion.usage?.completion_tokens ?? 0;
        const message = completion.choices[0]?.message;
        const parsed = message?.parsed === undefined || message?.parsed === null ? undefined : request.schema.safeParse(message.parsed);
        if (parsed?.success) return { value: parsed.data, tokensIn, tokensOut, model: completion.model };
        lastProblem = message?.refusal ? `refused: ${message.refusal}` : parsed ? parsed.error.message : "no parsed content";
      }
      throw new JudgeSchemaError(`${request.task}: model reply did not match the schema (${lastProblem.slice(0, 300)})`, tokensIn, tokensOut);
    },
  };
}

function upstream(error: InstanceType<typeof OpenAI.APIError> | InstanceType<typeof OpenAI.APIConnectionError>): UpstreamError {
  const status = error instanceof OpenAI.APIError ? error.status : undefined;
  const retryAfter = Number(error instanceof OpenAI.APIError ? error.headers?.get("retry-after") : undefined);
  const retryable = status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
  return new UpstreamError(`judge model call failed${status ? ` with HTTP ${status}` : `: ${error.message}`}`, retryable, {
    cause: error,
    retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
  });
}

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

// PagerDuty's Events API v2 as its OpenAPI document states it (PagerDuty/api-schema,
// reference/events-v2/openapiv3.json, and developer.pagerduty.com "Send an Alert Event"):
// POST /v2/enqueue with a JSON event; routing_key (32 characters) and event_action (trigger,
// acknowledge, resolve) required; dedup_key required unless the action is trigger; a trigger needs
// payload.summary, payload.severity (critical, error, warning, info) and payload.source. 202
// {status: "success", message: "Event processed", dedup_key}; an invalid event 400
// {status: "invalid event", message: "Event object is invalid", errors: [...]}; unparsable JSON
// 400 "Unrecognized object"; 429 when throttled (retry later), 5xx retryable.

const ACTIONS = new Set(["trigger", "acknowledge", "resolve"]);
const SEVERITIES = new Set(["critical", "error", "warning", "info"]);

export interface PagerDutyEvent {
  routing_key: string;
  event_action: "trigger" | "acknowledge" | "resolve";
  dedup_key: string;
  payload?: { summary: string; severity: string; source: string; [k: string]: unknown };
  links?: { href: string; text?: string }[];
  [k: string]: unknown;
}

export interface FakePagerDuty {
  url: string;
  /** Every accepted event, in order. */
  events: PagerDutyEvent[];
  /** The state of each alert, keyed by routing key and dedup key, as PagerDuty would show it. */
  alerts: Map<string, "triggered" | "acknowledged" | "resolved">;
  /** Answers for the next requests, in order; then events are validated and accepted. */
  script: { status: number; headers?: Record<string, string> }[];
  attempts: number;
  close(): Promise<void>;
}

interface RawEvent {
  routing_key?: unknown;
  event_action?: unknown;
  dedup_key?: unknown;
  payload?: { summary?: unknown; severity?: unknown; source?: unknown };
}

function problems(e: RawEvent): string[] {
  const errors: string[] = [];
  if (typeof e.routing_key !== "string" || e.routing_key.length !== 32)
    errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  if (!ACTIONS.has(e.event_action as string)) errors.push("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)");
  if (e.event_action !== "trigger" && typeof e.dedup_key !== "string") errors.push("'dedup_key' is missing or blank");
  if (typeof e.dedup_key === "string" && e.dedup_key.length > 255) errors.push("'dedup_key' is too long (max 255 characters)");
  if (e.event_action === "trigger") {
    const p = e.payload ?? {};
    if (typeof p.summary !== "string" || p.summary === "") errors.push("'payload.summary' is missing or blank");
    else if (p.summary.length > 1024) errors.push("'payload.summary' is too long (max 1024 characters)");
    if (!SEVERITIES.has(p.severity as string))
      errors.push("'payload.severity' is invalid (must be one of: critical, error, warning, info)");
    if (typeof p.source !== "string" || p.source === "") errors.push("'payload.source' is missing or blank");
  }
  return errors;
}

export async function startFakePagerDuty(): Promise<FakePagerDuty> {
  const state = {
    events: [] as PagerDutyEvent[],
    alerts: new Map<string, "triggered" | "acknowledged" | "resolved">(),
    script: [] as FakePagerDuty["script"],
    attempts: 0,
  };
  const answer = (res: import("node:http").ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    state.attempts++;
    if (req.method !== "POST" || req.url !== "/v2/enqueue") return answer(res, 404, { status: "not found" });
    const next = state.script.shift();
    if (next) {
      const body =
        next.status === 429
          ? { status: "throttle event", message: "Requests for this service are arriving too quickly." }
          : { status: "error", message: "internal error" };
      return answer(res, next.status, body, next.headers);
    }
    let event: RawEvent;
    try {
      event = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return answer(res, 400, {
        status: "Unrecognized object",
        message: "Event object format is unrecognized",
        errors: ["JSON parse error"],
      });
    }
    const errors = problems(event);
    if (errors.length) return answer(res, 400, { status: "invalid event", message: "Event object is invalid", errors });
    // A trigger without a dedup_key gets one generated, as PagerDuty does.
    const dedup = event.dedup_key ?? `generated-${state.events.length}`;
    const key = `${event.routing_key}/${dedup}`;
    const current = state.alerts.get(key);
    // Acknowledge and resolve only act on an open alert; a trigger of an open one is folded into it.
    if (event.event_action === "trigger" && current !== "triggered" && current !== "acknowledged") state.alerts.set(key, "triggered");
    if (event.event_action === "acknowledge" && current === "triggered") state.alerts.set(key, "acknowledged");
    if (event.event_action === "resolve" && current && current !== "resolved") state.alerts.set(key, "resolved");
    state.events.push({ ...event, dedup_key: dedup } as PagerDutyEvent);
    answer(res, 202, { status: "success", message: "Event processed", dedup_key: dedup });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/enqueue`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

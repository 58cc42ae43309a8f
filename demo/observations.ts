import type { FakeObservation } from "../fakes/langfuse-server.js";
import type { Fixture } from "../test/fixtures/conversations.js";

const SYSTEM = "You are the booking assistant of Bright Smile Dental.";
// gpt-4o-mini's list price (USD per token) and about four characters a token: what Langfuse
// would have priced the demo bot's generations at, so the status page shows cost per conversation.
const PRICE = { input: 0.15e-6, output: 0.6e-6 };
function priced(history: { content: string }[], reply: string) {
  const input = Math.ceil(history.reduce((n, m) => n + m.content.length, 0) / 4);
  const output = Math.ceil(reply.length / 4);
  const cost = { input: input * PRICE.input, output: output * PRICE.output };
  return {
    usageDetails: { input, output, total: input + output },
    costDetails: { ...cost, total: cost.input + cost.output },
  };
}

/**
 * The observations Langfuse's SDK would have written for one conversation, as a traced bot writes
 * them: one trace per exchange (the generation's input is the whole chat so far, its output the
 * reply, priced), tool spans beside it, and a `conversation_end` trace. Each becomes readable when
 * it starts. The demo's bot always keeps a session, also for the fixtures the tests send session-less.
 */
export function conversationObservations(c: Fixture, start: number): FakeObservation[] {
  const sessionId = `sess-${c.id}`;
  const history: { role: string; content: string }[] = [{ role: "system", content: SYSTEM }];
  const out: FakeObservation[] = [];
  let t = start;
  let exchange = -1;
  const traceId = () => `${sessionId}-t${Math.max(exchange, 0)}`;
  const common = { sessionId, tags: [], level: "DEFAULT", statusMessage: null };
  for (const turn of c.turns) {
    t += 1500;
    if (turn.startsWith("C:")) {
      exchange++;
      history.push({ role: "user", content: turn.slice(2) });
    } else if (turn.startsWith("T:")) {
      const [name, args, result] = turn.slice(2).split("|") as [string, string, string];
      const failed = result.includes('"error"');
      out.push({
        ...common,
        id: `${traceId()}-tool-${out.length}`,
        traceId: traceId(),
        traceName: "bot-turn",
        name,
        type: "TOOL",
        startTime: t,
        visibleAt: t,
        input: args,
        output: result,
        level: failed ? "ERROR" : "DEFAULT",
        statusMessage: failed ? (JSON.parse(result) as { error: string }).error : null,
      });
    } else {
      const reply = { role: "assistant", content: turn.slice(2) };
      out.push({
        ...common,
        id: `${traceId()}-gen-${out.length}`,
        traceId: traceId(),
        traceName: "bot-turn",
        name: "reply",
        type: "GENERATION",
        startTime: t,
        visibleAt: t,
        input: [...history],
        output: reply,
        ...priced(history, reply.content),
      });
      history.push(reply);
    }
  }
  out.push({
    ...common,
    id: `${sessionId}-end`,
    traceId: `${sessionId}-end`,
    traceName: "conversation_end",
    name: "hangup",
    type: "EVENT",
    startTime: t + 1000,
    visibleAt: t + 1000,
    input: null,
    output: null,
  });
  return out;
}

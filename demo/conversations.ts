// The demo bot's conversations: a dental clinic's booking assistant, with the verdict each one
// deserves, so the scripted judge can answer like a careful model would. Turns: "C:" caller,
// "B:" bot, "T:tool|arguments|result" a tool call with its result.

export interface DemoConversation {
  id: string;
  intent: "book" | "reschedule" | "cancel" | "information" | "complaint" | "transfer_to_human";
  verdict: "pass" | "partial" | "fail";
  category?: "tool_error" | "integration_failure" | "prompt_or_policy" | "knowledge_gap" | "caller_behavior" | "speech_recognition";
  turns: string[];
}

type Template = Omit<DemoConversation, "id" | "turns"> & { turns: (v: Variant) => string[] };
interface Variant {
  name: string;
  day: string;
  time: string;
  n: number;
}

const TEMPLATES: Template[] = [
  {
    intent: "book",
    verdict: "pass",
    turns: (v) => [
      `C:Hi, this is ${v.name}, I'd like a cleaning on ${v.day}.`,
      `T:check_availability|{"day":"${v.day}"}|{"slots":["${v.time}"]}`,
      `B:${v.day} at ${v.time} is free. Shall I book it?`,
      "C:Yes please.",
      `T:book_appointment|{"slot":"${v.day} ${v.time}"}|{"confirmation":"BK-${4400 + v.n}"}`,
      `B:Booked for ${v.day} at ${v.time}, confirmation BK-${4400 + v.n}.`,
    ],
  },
  {
    intent: "reschedule",
    verdict: "pass",
    turns: (v) => [
      `C:${v.name} here, can I move my appointment to ${v.day}?`,
      `T:reschedule_appointment|{"to":"${v.day} ${v.time}"}|{"confirmation":"RS-${200 + v.n}"}`,
      `B:Moved to ${v.day} at ${v.time}, confirmation RS-${200 + v.n}.`,
    ],
  },
  {
    intent: "cancel",
    verdict: "pass",
    turns: (v) => [
      `C:Please cancel ${v.name}'s appointment on ${v.day}.`,
      `T:cancel_appointment|{"day":"${v.day}"}|{"cancelled":true}`,
      `B:The ${v.day} appointment for ${v.name} is cancelled.`,
    ],
  },
  {
    intent: "information",
    verdict: "pass",
    turns: (v) => [
      `C:Do you take Delta Dental? Asking for ${v.name}.`,
      `T:insurance_lookup|{"carrier":"Delta Dental"}|{"accepted":true}`,
      "B:Yes, we accept Delta Dental.",
    ],
  },
  {
    intent: "book",
    verdict: "fail",
    category: "tool_error",
    turns: (v) => [
      `C:I want to book a filling on ${v.day}, name ${v.name}.`,
      `T:check_availability|{"day":"${v.day}"}|{"error":"upstream timeout"}`,
      "B:Sorry, I'm having trouble reaching the schedule right now.",
      "C:So can I book or not?",
      "B:Please call back later.",
    ],
  },
  {
    intent: "cancel",
    verdict: "fail",
    category: "integration_failure",
    turns: (v) => [
      `C:Cancel my ${v.day} visit please, it's ${v.name}.`,
      `T:cancel_appointment|{"day":"${v.day}"}|{"error":"500 internal error"}`,
      "B:Your appointment has been cancelled.",
    ],
  },
  {
    intent: "information",
    verdict: "fail",
    category: "knowledge_gap",
    turns: (v) => [
      `C:Is there parking near the clinic? I'm ${v.name}.`,
      "B:I'm not sure about that.",
      "C:Can you find out?",
      "B:I'm not sure about that.",
    ],
  },
  {
    intent: "book",
    verdict: "partial",
    category: "prompt_or_policy",
    turns: (v) => [
      `C:Book ${v.name} in with Dr. Lee for a consult.`,
      `T:check_availability|{"doctor":"Lee"}|{"slots":["${v.day} ${v.time}"]}`,
      `B:Dr. Lee is free ${v.day} at ${v.time}. I've noted your interest.`,
      "C:Is that confirmed?",
      "B:Someone will call you to confirm.",
    ],
  },
  {
    intent: "complaint",
    verdict: "pass",
    turns: (v) => [
      `C:I was charged twice for my last visit, this is ${v.name}.`,
      `T:create_ticket|{"type":"billing"}|{"ticket":"T-${900 + v.n}"}`,
      `B:Sorry about that. Billing ticket T-${900 + v.n} is open; the duplicate is refunded within 3 days.`,
    ],
  },
  {
    intent: "transfer_to_human",
    verdict: "pass",
    turns: (v) => [
      `C:Can I speak to a person? It's ${v.name}.`,
      `T:transfer_call|{"queue":"front_desk"}|{"transferred":true}`,
      "B:Connecting you to the front desk now.",
    ],
  },
];

const NAMES = [
  "Ana Ruiz",
  "Ben Okafor",
  "Chloe Martin",
  "Dev Patel",
  "Emma Schulz",
  "Farid Haddad",
  "Grace Kim",
  "Hugo Laurent",
  "Iris Novak",
  "Jonas Berg",
  "Kira Sato",
  "Liam Walsh",
];
const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
const TIMES = ["9:00", "10:30", "13:15", "15:45"];

/** `count` conversations cycling through the templates, each with its own caller. */
export function demoConversations(count: number): DemoConversation[] {
  return Array.from({ length: count }, (_, n) => {
    const t = TEMPLATES[n % TEMPLATES.length]!;
    const v = { name: NAMES[n % NAMES.length]!, day: DAYS[n % DAYS.length]!, time: TIMES[n % TIMES.length]!, n };
    return { id: `demo-${String(n + 1).padStart(3, "0")}`, intent: t.intent, verdict: t.verdict, category: t.category, turns: t.turns(v) };
  });
}

/** Each conversation's first caller line: unique (it names the caller), so the judge can recognise it. */
export const openingLine = (c: DemoConversation) => c.turns[0]!.slice(2);

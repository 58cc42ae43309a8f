import type { VigilClient } from "../client/vigil-client.js";
import { arg, type CommandEntry, intArg, type Invocation, positive, show, UsageError } from "./invocation.js";
import { OPERATION_COMMANDS } from "./operations.js";
import { dur, pct, table, when } from "./table.js";
import { terminalSafeJson, terminalSafeLines } from "./terminal-text.js";

const PAGE = 500;

/** Runs newest first through the API's cursor: --limit N of them, --all of them, else the newest 50. */
async function runsUpTo(client: VigilClient, status: string | undefined, inv: Invocation) {
  const wanted = inv.all ? Number.POSITIVE_INFINITY : inv.limit !== undefined ? positive(inv.limit, "--limit") : 50;
  const runs: Awaited<ReturnType<VigilClient["listRuns"]>>["runs"] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listRuns({ status, limit: Math.min(PAGE, wanted - runs.length), cursor });
    runs.push(...page.runs);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && runs.length < wanted);
  return { runs, more: cursor !== undefined };
}

const RUN_COMMANDS: Record<string, CommandEntry> = {
  list: {
    usage: "list [status] [--limit N|--all]  runs, newest first (default 50)",
    async run(client, inv, io) {
      const page = await runsUpTo(client, inv.args[0], inv);
      show(
        io,
        inv,
        page,
        (page) =>
          table(
            ["SESSION", "STATUS", "TASKS", "STARTED", "DURATION"],
            page.runs.map((r) => [
              r.sessionId,
              r.status,
              `${r.completedTasks}/${r.totalTasks}${r.failedTasks ? ` (${r.failedTasks} failed)` : ""}`,
              when(r.startedAt),
              dur(r.durationMs),
            ]),
          ) + (page.more ? `\n(more: --limit N or --all)` : ""),
      );
    },
  },
  show: {
    usage: "show <session>             one run in detail",
    async run(client, inv, io) {
      const data = await client.getRun(arg(inv, 0, "session"));
      show(io, inv, data, ({ run: r, executions }) =>
        [
          `Session:     ${r.sessionId}`,
          `Task:        ${r.taskDescription}`,
          `Status:      ${r.status}${r.completionSource === "derived" ? " (derived)" : ""}`,
          `Tasks:       ${r.completedTasks} completed, ${r.failedTasks} failed, of ${r.totalTasks}`,
          `Started:     ${when(r.startedAt)}`,
          `Completed:   ${when(r.completedAt)}`,
          `Duration:    ${dur(r.durationMs)}`,
          `Executions:  ${executions.total} (${executions.completed} completed, ${executions.failed} failed, ${executions.inProgress} running)`,
          ...(r.gitCommitHash ? [`Commit:      ${r.gitCommitHash}`] : []),
          ...(r.lastMessage ? [`Last note:   ${r.lastMessage}`] : []),
        ].join("\n"),
      );
    },
  },
  agent: {
    usage: "agent <name>               one agent's statistics and recent runs",
    async run(client, inv, io) {
      const a = await client.getAgent(arg(inv, 0, "name"));
      show(io, inv, a, (a) =>
        [
          `Agent: ${a.agentName}   runs ${a.runs}   success ${pct(a.successRate)}   avg ${dur(a.avgDurationMs)} (min ${dur(a.minDurationMs)}, max ${dur(a.maxDurationMs)})`,
          "",
          table(
            ["EXECUTION", "STATUS", "STARTED", "DURATION", "ERROR"],
            a.recent.map((e) => [e.agentSessionId, e.status, when(e.startedAt), dur(e.durationMs), e.errorMessage]),
          ),
        ].join("\n"),
      );
    },
  },
  executions: {
    usage: "executions <session>       agent executions of a run",
    async run(client, inv, io) {
      const execs = await client.getExecutions(arg(inv, 0, "session"));
      show(io, inv, execs, (execs) =>
        table(
          ["#", "AGENT", "EXECUTION", "STATUS", "DURATION", "FILES +/~", "RETRIES", "ERROR"],
          execs.map((e) => [
            e.taskNumber,
            e.agentName,
            e.agentSessionId,
            e.status,
            dur(e.durationMs),
            `${e.filesCreated}/${e.filesModified}`,
            e.retryCount,
            e.errorMessage,
          ]),
        ),
      );
    },
  },
  health: {
    usage: "health [hours]             system health (default 24 h)",
    async run(client, inv, io) {
      const h = await client.getSystemHealth(intArg(inv, 0, "hours", 24));
      show(io, inv, h, (h) =>
        [
          `System health, last ${h.hours} h`,
          `Orchestrations: ${h.orchestrations.total} total, ${h.orchestrations.completed} completed, ${h.orchestrations.failed} failed, ${h.orchestrations.partial} partial, ${h.orchestrations.running} running`,
          `Agents:         ${h.agents.total} executions, success rate ${pct(h.agents.successRate)}`,
          `Avg duration:   ${dur(h.averageDurationMs)}`,
        ].join("\n"),
      );
    },
  },
  performance: {
    usage: "performance                per-agent performance",
    async run(client, inv, io) {
      const agents = await client.getPerformanceReport();
      show(io, inv, agents, (agents) =>
        table(
          ["AGENT", "RUNS", "SUCCESS", "MIN", "AVG", "MAX"],
          agents.map((a) => [a.agentName, a.runs, pct(a.successRate), dur(a.minDurationMs), dur(a.avgDurationMs), dur(a.maxDurationMs)]),
        ),
      );
    },
  },
  failures: {
    usage: "failures [limit]           failed runs (default 10)",
    async run(client, inv, io) {
      const failures = await client.getFailures(intArg(inv, 0, "limit", 10));
      show(io, inv, failures, (failures) =>
        table(
          ["SESSION", "STATUS", "COMPLETION", "DURATION", "STARTED", "TASK"],
          failures.map((f) => [f.sessionId, f.status, pct(f.completionRate), dur(f.durationMs), when(f.startedAt), f.taskDescription]),
        ),
      );
    },
  },
  export: {
    usage: "export [session]           JSON export to stdout (progress on stderr)",
    async run(client, inv, io) {
      const stream = await client.exportStream(inv.args[0]);
      // The JSON goes to a terminal as often as to a file: C1 and bidi controls in its strings are
      // written as \uXXXX (terminal-text.ts). Decoded as a stream, so a character split between
      // two chunks is read whole.
      const decoder = new TextDecoder();
      const encoder = new TextEncoder();
      let bytes = 0;
      let lastReport = 0;
      for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
        await io.write(encoder.encode(terminalSafeJson(decoder.decode(chunk, { stream: true }))));
        bytes += chunk.byteLength;
        if (bytes - lastReport >= 5 * 1024 * 1024) {
          io.err(`exported ${(bytes / 1024 / 1024).toFixed(0)} MB`);
          lastReport = bytes;
        }
      }
      const rest = decoder.decode();
      if (rest) await io.write(encoder.encode(terminalSafeJson(rest)));
      io.err(`export complete: ${bytes} bytes`);
    },
  },
  cleanup: {
    usage: "cleanup <days> [--yes]     delete finished runs older than <days> (archived first)",
    async run(client, inv, io) {
      const days = intArg(inv, 0, "days");
      if (!inv.yes && !(await io.confirm(`Delete finished runs older than ${days} days? [y/N] `))) {
        throw new UsageError("cleanup not confirmed (pass --yes to skip the question)");
      }
      const result = await client.cleanup(days);
      show(io, inv, result, (result) =>
        [`Deleted ${result.deleted} run(s).`, ...result.blocked.map((b) => `Kept ${b.sessionId}: ${b.reason}`)].join("\n"),
      );
    },
  },
  verdicts: {
    usage: "verdicts [status] [limit]  conversation verdicts, newest first (status: pass|fail|partial|error|skipped)",
    async run(client, inv, io) {
      const status = inv.args[0];
      if (status !== undefined && !["pass", "fail", "partial", "error", "skipped"].includes(status))
        throw new UsageError(`[status] must be pass, fail, partial, error or skipped, got "${status}"`);
      const verdicts = await client.listVerdicts({ status, limit: intArg(inv, 1, "limit", 20) });
      const flags = (v: (typeof verdicts)[number]) =>
        Object.entries(v.quality ?? {})
          .filter(([, on]) => on)
          .map(([k]) => k)
          .join(",");
      show(io, inv, verdicts, (verdicts) =>
        table(
          ["SESSION", "STATUS", "INTENT", "QUALITY", "DIAGNOSIS", "ANALYZED", "SUMMARY"],
          verdicts.map((v) => [
            v.sessionId,
            v.status,
            v.intent?.type ?? "",
            flags(v),
            String(v.diagnosis?.report?.category ?? ""),
            when(v.analyzedAt),
            String(v.summary ?? v.error ?? "").slice(0, 60),
          ]),
        ),
      );
    },
  },
  report: {
    usage: "report [hours]             the stability monitoring log (Markdown)",
    async run(client, inv, io) {
      io.out(terminalSafeLines(await client.stabilityReport(intArg(inv, 0, "hours", 24))));
    },
  },
  "restart-period": {
    usage: "restart-period <all|source> [note]  start a new observation period (after a fix)",
    async run(client, inv, io) {
      const which = arg(inv, 0, "all|source");
      const note = inv.args.slice(1).join(" ");
      const restarted = await client.restartObservation({ ...(which === "all" ? {} : { source: which }), ...(note ? { note } : {}) });
      show(
        io,
        inv,
        restarted,
        (r) =>
          `Observation period of ${r.source ?? "every source"} restarted at ${r.at}${r.note ? ` (${r.note})` : ""}: the verdict is IN PROGRESS until it completes.`,
      );
    },
  },
};

/** Every command that talks to the API (send-event and import-seed are main.ts's). */
export const COMMANDS: Record<string, CommandEntry> = { ...RUN_COMMANDS, ...OPERATION_COMMANDS };

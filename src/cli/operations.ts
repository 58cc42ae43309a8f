import { arg, type CommandEntry, positive, show, UsageError } from "./invocation.js";
import { dur, table, when } from "./table.js";

const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

const DURATION = /^(\d+)([mhd])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** --until <ISO time> or --for <30m|2h|1d>, as the ISO time the API takes. */
function silenceEnd(inv: { until?: string; for?: string }, now: number): string {
  if (inv.until && inv.for) throw new UsageError("give --until or --for, not both");
  if (inv.until) {
    if (Number.isNaN(Date.parse(inv.until))) throw new UsageError(`--until must be an ISO 8601 time, got "${inv.until}"`);
    return inv.until;
  }
  const m = DURATION.exec(inv.for ?? "");
  if (!m) throw new UsageError(`--for must be like 30m, 2h or 1d${inv.for ? `, got "${inv.for}"` : " (or give --until)"}`);
  return new Date(now + Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]).toISOString();
}

/** Alerts, silences, jobs and a finished run's records: what the API already had and the CLI lacked. */
export const OPERATION_COMMANDS: Record<string, CommandEntry> = {
  alerts: {
    usage: "alerts [firing|resolved] | alerts ack <id>   alerts, newest first; ack stops its repeats",
    async run(client, inv, io) {
      if (inv.args[0] === "ack") {
        const alert = await client.ackAlert(positive(arg(inv, 1, "id"), "id"));
        return show(io, inv, alert, (a) => `Acknowledged alert ${a.id} (${a.rule}, ${a.state}): no repeats until it resolves.`);
      }
      const alerts = await client.listAlerts(inv.args[0]);
      show(io, inv, alerts, (alerts) =>
        table(
          ["ID", "STATE", "SEVERITY", "RULE", "LABELS", "SINCE", "SUMMARY"],
          alerts.map((a) => [a.id, a.state, a.severity, a.rule, labelText(a.labels), when(a.startedAt), a.summary]),
        ),
      );
    },
  },
  silence: {
    usage: "silence [<label>=<value>... --for 2h|--until <time> --comment <why>] | silence expire <id>",
    async run(client, inv, io) {
      if (inv.args[0] === "expire") {
        const id = positive(arg(inv, 1, "id"), "id");
        await client.expireSilence(id);
        return io.out(`Silence ${id} ended.`);
      }
      if (inv.args.length === 0) {
        const silences = await client.listSilences();
        return show(io, inv, silences, (silences) =>
          table(
            ["ID", "MATCHERS", "UNTIL", "COMMENT"],
            silences.map((s) => [s.id, labelText(s.matchers), when(s.endsAt), s.comment]),
          ),
        );
      }
      const matchers = Object.fromEntries(
        inv.args.map((a) => {
          const at = a.indexOf("=");
          if (at < 1) throw new UsageError(`a matcher is <label>=<value> (rule=run_failed, session=…), got "${a}"`);
          return [a.slice(0, at), a.slice(at + 1)];
        }),
      );
      if (!inv.comment) throw new UsageError("--comment <why> is required");
      const silence = await client.silence({ matchers, until: silenceEnd(inv, Date.now()), comment: inv.comment });
      show(io, inv, silence, (s) => `Silence ${s.id}: ${labelText(s.matchers)} until ${when(s.endsAt)}.`);
    },
  },
  jobs: {
    usage: "jobs                       each cron job's last runs and missed schedules",
    async run(client, inv, io) {
      const jobs = await client.listJobs();
      show(io, inv, jobs, (jobs) =>
        table(
          ["JOB", "SCHEDULE", "LAST RUN", "STATUS", "DURATION", "MISSED"],
          jobs.map((j) => [
            j.job,
            j.schedule,
            when(j.lastRunAt),
            j.lastStatus,
            dur(j.recent[0]?.durationMs),
            j.missed ? j.missedIntervals : 0,
          ]),
        ),
      );
    },
  },
  summary: {
    usage: "summary <session>          a run's summary report (kept after the run is deleted)",
    async run(client, inv, io) {
      const r = await client.getOrchestrationSummary(arg(inv, 0, "session"));
      show(io, inv, r, (r) =>
        [
          `Run ${r.sessionId}: ${r.status}   ${r.tasks.completed}/${r.tasks.total} tasks (${r.tasks.failed} failed)   ${dur(r.durationMs)}`,
          `Executions ${r.executions}   files +${r.filesCreated} ~${r.filesModified}   retries ${r.retries}   self-healed ${r.selfHealed}`,
          "",
          table(
            ["AGENT", "EXECUTIONS", "COMPLETED", "FAILED", "TIME"],
            r.agents.map((a) => [a.agentName, a.executions, a.completed, a.failed, dur(a.totalDurationMs)]),
          ),
          ...r.failures.map((f) => `failed: ${f.agentName} ${f.agentSessionId}${f.errorMessage ? `: ${f.errorMessage}` : ""}`),
        ].join("\n"),
      );
    },
  },
  archive: {
    usage: "archive <session>          a finished run's verified archive (JSON), also after retention",
    async run(client, inv, io) {
      const archive = await client.getRunArchive(arg(inv, 0, "session"));
      show(io, { ...inv, json: true }, archive, () => "");
    },
  },
};

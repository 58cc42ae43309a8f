import type { FC } from "hono/jsx";
import { checkpointLabel } from "../stability/checkpoints.js";
import { describeStart } from "../stability/observation.js";
import { observedHours } from "../stability/report-advice.js";
import { BaselineTable } from "./baseline-table.js";
import { ReleaseTable } from "./release-table.js";
import { Chart } from "./chart.js";
import { CostTable } from "./cost-table.js";
import { RANGES, type Point, type RangeName, type StatusData } from "./data.js";
import { STYLE } from "./style.js";

const pct = (v: number) => `${(v * 100).toFixed(Number.isInteger(Math.round(v * 1000) / 10) ? 0 : 1)}%`;
const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)} s` : `${Math.round(v)} ms`);
const int = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
const when = (at: number | null) => (at ? `${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC` : "never");
const total = (points: Point[]) => points.reduce((a, p) => a + (p.value ?? 0), 0);
const peak = (points: Point[]) => Math.max(0, ...points.map((p) => p.value ?? 0));
const LABEL: Record<RangeName, string> = { "1h": "last hour", "24h": "last 24 hours", "7d": "last 7 days" };
const VERDICT = {
  STABLE: ["STABLE", "ok"],
  NEEDS_ATTENTION: ["NEEDS ATTENTION", "bad"],
  IN_PROGRESS: ["IN PROGRESS", "none"],
  NO_DATA: ["NO DATA YET", "none"],
} as const;
const MARK = { pass: "✓", fail: "✗", not_measured: "–" } as const;
const LABEL_TEXT = { yes: "yes", no: "no", not_measured: "not measured" } as const;

type Firing = StatusData["firing"][number];

const AlertItem: FC<{ a: Firing; full: boolean }> = ({ a, full }) => (
  <li class={`sev-${a.severity}`}>
    <strong>{a.severity.toUpperCase()}</strong> {a.rule} {full ? `— ${a.summary}` : ""} <span class="muted">since {when(a.since)}</span>
  </li>
);

/** The status page. Every value from the database goes through JSX, which escapes it. */
export const StatusPage: FC<{ data: StatusData; threshold: number }> = ({ data: d, threshold }) => {
  const r = d.report;
  const m = r.metrics;
  const [verdict, tone] = VERDICT[r.status];
  const span = LABEL[d.range];
  const timeLabel = (at: number) => (d.range === "7d" ? new Date(at).toUTCString().slice(0, 11) : new Date(at).toISOString().slice(11, 16));
  const perFine = d.range === "1h" ? "minute" : d.range === "24h" ? "15 minutes" : "hour";
  const perCoarse = d.range === "1h" ? "5 minutes" : d.range === "24h" ? "hour" : "6 hours";
  const chart = { timeLabel };
  // Low-severity notices (a run completed) are news, not trouble: kept apart from the alerts.
  const alerts = d.firing.filter((a) => a.severity !== "low");
  const notices = d.firing.filter((a) => a.severity === "low");
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="refresh" content="60" />
        <title>{`Vigil — ${verdict}`}</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <header>
          <div class="title">
            <h1>Vigil</h1>
            <nav class="ranges" aria-label="Time range">
              {(Object.keys(RANGES) as RangeName[]).map((name) => (
                <a href={`/status?range=${name}`} aria-current={name === d.range ? "page" : undefined}>
                  {name}
                </a>
              ))}
            </nav>
          </div>
          <p id="verdict" class={`verdict ${tone}`}>
            {verdict}
          </p>
          <p class="muted">
            Verdict over the last 24 hours
            {r.status === "NO_DATA" ? " · nothing received yet" : ` · production ready: ${r.productionReady ? "yes" : "no"}`} · charts:{" "}
            {span} · updated {when(d.now)}
          </p>
          <p id="observation" class="muted">
            Observation period:{" "}
            {r.observation.since === null
              ? describeStart(r.observation)
              : `since ${when(r.observation.since)} (${describeStart(r.observation)}) · ${observedHours(r.observation)}`}
            {r.observation.sources.length > 1 &&
              ` · ${r.observation.sources
                .map(
                  (p) =>
                    `${p.source}: ${p.since === null ? describeStart(p) : `${Math.floor(p.observedMs / 3600_000)} h (${describeStart(p)})`}`,
                )
                .join(" · ")}`}
          </p>
          <ul class="checks">
            {r.checks.map((c) => (
              <li class={r.status === "NO_DATA" || c.state === "not_measured" ? "none" : c.state}>
                {r.status === "NO_DATA" ? "–" : MARK[c.state]} {c.label} {c.threshold}
                {c.state === "not_measured" && r.status !== "NO_DATA" ? ` — not measured: ${c.why}` : ""}
              </li>
            ))}
          </ul>
          {r.status !== "NO_DATA" && (
            <p id="labels" class="muted">
              Stable: {LABEL_TEXT[r.labels.stable]} · Secure: {LABEL_TEXT[r.labels.secure]} · Performant: {LABEL_TEXT[r.labels.performant]}{" "}
              · Quality: {LABEL_TEXT[r.labels.quality]}
              {r.labels.notMeasured.quality ? ` (${r.labels.notMeasured.quality})` : ""}
            </p>
          )}
          {r.status === "NO_DATA" && <p class="hint">{r.recommendations[0]}</p>}
        </header>

        <section aria-labelledby="alerts-h">
          <h2 id="alerts-h">Alerts firing ({alerts.length})</h2>
          {alerts.length === 0 ? (
            <p class="muted empty-note">No alert is firing.</p>
          ) : (
            <ul id="firing" class="alerts">
              {alerts.map((a) => (
                <AlertItem a={a} full={d.full} />
              ))}
            </ul>
          )}
          {notices.length > 0 && (
            <details id="notices">
              <summary>{notices.length} low-severity notice(s), e.g. completed runs</summary>
              <ul class="alerts">
                {notices.map((a) => (
                  <AlertItem a={a} full={d.full} />
                ))}
              </ul>
            </details>
          )}
        </section>

        <section aria-labelledby="stability-h">
          <h2 id="stability-h">Bot stability</h2>
          <div class="grid">
            <Chart
              {...chart}
              id="chart-deliveries"
              kind="bars"
              title={`Deliveries per ${perFine}`}
              caption={`${total(d.deliveries)} deliveries in the ${span}, at most ${peak(d.deliveries)} per ${perFine}.`}
              format={int}
              series={[{ name: "deliveries", color: "#2563eb", points: d.deliveries }]}
            />
            <Chart
              {...chart}
              id="chart-rates"
              kind="line"
              title={`Success and error rate per ${perCoarse}`}
              caption={`24 h: success ${m.successRate === null ? "n/a" : pct(m.successRate)}, errors ${m.errorRate === null ? "n/a" : pct(m.errorRate)}.`}
              format={pct}
              series={[
                { name: "success", color: "#16a34a", points: d.successRate },
                { name: "errors", color: "#dc2626", points: d.errorRate },
              ]}
            />
            <Chart
              {...chart}
              id="chart-latency"
              kind="line"
              title={`Response time per ${perCoarse}`}
              caption={`24 h: p50 ${m.responseTime.p50Ms === null ? "n/a" : ms(m.responseTime.p50Ms)}, p95 ${m.responseTime.p95Ms === null ? "n/a" : ms(m.responseTime.p95Ms)}; threshold ${ms(threshold)}; ${m.slowReplies.count} repl${m.slowReplies.count === 1 ? "y" : "ies"} over it${m.slowReplies.slowest ? ` (slowest ${ms(m.slowReplies.slowest.latencyMs)} at ${when(m.slowReplies.slowest.at)}${d.full && m.slowReplies.slowest.conversationId ? ` in ${m.slowReplies.slowest.conversationId}` : ""})` : ""}.`}
              format={ms}
              threshold={{ value: threshold, label: `${ms(threshold)} limit` }}
              series={[
                { name: "p50", color: "#0891b2", points: d.p50 },
                { name: "p95", color: "#9333ea", points: d.p95 },
              ]}
            />
            <Chart
              {...chart}
              id="chart-signatures"
              kind="bars"
              title={`Signature failures per ${perCoarse}`}
              caption={`${total(d.signatureFailures)} signature failures in the ${span} (goal: none).`}
              format={int}
              series={[{ name: "failures", color: "#dc2626", points: d.signatureFailures }]}
            />
          </div>
          <h3>Bot errors ({r.hours} h)</h3>
          <table id="bot-errors">
            <thead>
              <tr>
                <th>Type</th>
                <th>Count</th>
                <th>First / last (UTC)</th>
                <th>Conversations</th>
                <th>Latest message</th>
              </tr>
            </thead>
            <tbody>
              {m.errorGroups.length === 0 && (
                <tr>
                  <td colspan={5} class="muted">
                    No error reported by the bot.
                  </td>
                </tr>
              )}
              {m.errorGroups.map((g) => (
                <tr class="fail">
                  <td>
                    <code>{g.type}</code>
                  </td>
                  <td>{g.count}</td>
                  <td>
                    {when(g.firstAt)} / {when(g.lastAt)}
                  </td>
                  <td>{g.conversations}</td>
                  <td>{d.full ? (g.latestMessage ?? "–") : "(shown with the API key)"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <BaselineTable rows={d.report.baseline} days={d.baselineDays} />
          <ReleaseTable releases={d.report.releases} />
        </section>

        <section aria-labelledby="conversations-h">
          <h2 id="conversations-h">Conversations</h2>
          {!d.monitoringConfigured && (
            <p id="monitoring-off" class="muted empty-note">
              Monitoring not configured: set LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY to import conversations, and OPENAI_API_KEY to
              judge them (or try <code>npm run demo</code>).
            </p>
          )}
          <div class="grid">
            <Chart
              {...chart}
              id="chart-verdicts"
              kind="bars"
              title={`Conversation verdicts per ${perCoarse}`}
              caption={`${total(d.verdicts.pass)} passed, ${total(d.verdicts.partial)} partial, ${total(d.verdicts.fail)} failed in the ${span}.${d.topCategories.length ? ` Top failure causes: ${d.topCategories.map((c) => `${c.category} (${c.count})`).join(", ")}.` : ""}${d.verifierUnavailable ? ` ${d.verifierUnavailable} not confirmed: system-of-record verifier unavailable.` : ""}${d.unreadable ? ` ${d.unreadable} not judged: transcript shape not readable.` : ""}${d.scoresRefused ? ` ${d.scoresRefused} verdict(s) whose scores Langfuse refused.` : ""}`}
              format={int}
              series={[
                { name: "pass", color: "#16a34a", points: d.verdicts.pass },
                { name: "partial", color: "#d97706", points: d.verdicts.partial },
                { name: "fail", color: "#dc2626", points: d.verdicts.fail },
              ]}
            />
          </div>
          <CostTable cost={r.cost} hours={r.hours} />
          {d.full && (
            <>
              <h3>Latest failed conversations</h3>
              <table id="failed-conversations">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Session</th>
                    <th>Intent</th>
                    <th>Summary</th>
                    <th>Diagnosis</th>
                  </tr>
                </thead>
                <tbody>
                  {d.failedConversations.length === 0 && (
                    <tr>
                      <td colspan={5} class="muted">
                        No failed conversation yet.
                      </td>
                    </tr>
                  )}
                  {d.failedConversations.map((c) => (
                    <tr>
                      <td>{when(c.at)}</td>
                      <td>
                        {d.sessionLinks[c.sessionId] ? (
                          <a href={d.sessionLinks[c.sessionId]} title="Open the session in Langfuse">
                            <code>{c.sessionId}</code>
                          </a>
                        ) : (
                          <code>{c.sessionId}</code>
                        )}
                      </td>
                      <td>{c.intent ?? "–"}</td>
                      <td>{c.summary ?? "–"}</td>
                      <td>{c.category ?? "pending"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </section>

        <section aria-labelledby="runs-h">
          <h2 id="runs-h">Agent runs</h2>
          <div class="grid">
            <Chart
              {...chart}
              id="chart-runs"
              kind="bars"
              title={`Runs per ${perCoarse}`}
              caption={`${total(d.runs.completed)} completed, ${total(d.runs.failed)} failed, ${total(d.runs.stalled)} stalled in the ${span}.`}
              format={int}
              series={[
                { name: "completed", color: "#16a34a", points: d.runs.completed },
                { name: "failed", color: "#dc2626", points: d.runs.failed },
                { name: "stalled", color: "#d97706", points: d.runs.stalled },
              ]}
            />
          </div>
          {d.full && (
            <>
              <h3>Latest failed runs</h3>
              <table id="failed-runs">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Session</th>
                    <th>Task</th>
                    <th>Status</th>
                    <th>Tasks</th>
                  </tr>
                </thead>
                <tbody>
                  {d.failedRuns.length === 0 && (
                    <tr>
                      <td colspan={5} class="muted">
                        No failed run yet.
                      </td>
                    </tr>
                  )}
                  {d.failedRuns.map((f) => (
                    <tr>
                      <td>{when(f.at)}</td>
                      <td>
                        <code>{f.sessionId}</code>
                      </td>
                      <td>{f.taskDescription}</td>
                      <td>{f.status}</td>
                      <td>
                        {f.completedTasks}/{f.totalTasks}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </section>

        <section aria-labelledby="checkpoints-h">
          <h2 id="checkpoints-h">Checkpoints (every 4 hours)</h2>
          <table id="checkpoints">
            <thead>
              <tr>
                <th>Window (UTC)</th>
                <th>Status</th>
                <th>Deliveries</th>
                <th>Processed</th>
                <th>Sig. failures</th>
                <th>Errors</th>
                <th>Avg / p95</th>
              </tr>
            </thead>
            <tbody>
              {d.checkpoints.length === 0 && (
                <tr>
                  <td colspan={7} class="muted">
                    No checkpoint closed yet: the first closes at the next 00/04/08/12/16/20 UTC.
                  </td>
                </tr>
              )}
              {d.checkpoints.map((c) => (
                <tr class={c.status === "ok" ? "" : c.status}>
                  <td>
                    {when(c.windowStart)} – {new Date(c.windowEnd).toISOString().slice(11, 16)}
                  </td>
                  <td>{checkpointLabel(c)}</td>
                  <td>{c.metrics.deliveries}</td>
                  <td>{c.metrics.processed}</td>
                  <td>{c.metrics.signatureFailures}</td>
                  <td>{c.metrics.errors}</td>
                  <td>
                    {c.metrics.responseTime.avgMs === null
                      ? "–"
                      : `${ms(c.metrics.responseTime.avgMs)} / ${ms(c.metrics.responseTime.p95Ms ?? 0)}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>

        <section aria-labelledby="jobs-h">
          <h2 id="jobs-h">Vigil's own jobs</h2>
          <table id="jobs">
            <thead>
              <tr>
                <th>Job</th>
                <th>Schedule</th>
                <th>Last run</th>
                <th>Status</th>
                <th>Missed</th>
              </tr>
            </thead>
            <tbody>
              {d.jobs.map((j) => (
                <tr class={j.missed ? "fail" : ""}>
                  <td>{j.job}</td>
                  <td>
                    <code>{j.schedule}</code>
                  </td>
                  <td>{when(j.lastRunAt)}</td>
                  <td>{j.lastStatus ?? "–"}</td>
                  <td>{j.missed ? `${j.missedIntervals}+ runs` : "no"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <footer class="muted">Refreshes every minute · all times UTC</footer>
      </body>
    </html>
  );
};

import type { FC } from "hono/jsx";
import { LineChart } from "./chart.js";
import type { Point, StatusData } from "./data.js";
import { STYLE } from "./style.js";

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);
const int = (v: number) => String(Math.round(v));
const when = (at: number | null) => (at ? `${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC` : "never");
const total = (points: Point[]) => points.reduce((a, p) => a + (p.value ?? 0), 0);
const peak = (points: Point[]) => Math.max(0, ...points.map((p) => p.value ?? 0));

/** The status page. Every value from the database goes through JSX, which escapes it. */
export const StatusPage: FC<{ data: StatusData; threshold: number }> = ({ data: d, threshold }) => {
  const r = d.report;
  const stable = r.status === "STABLE";
  const m = r.metrics;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="refresh" content="60" />
        <title>{`Vigil — ${stable ? "STABLE" : "NEEDS ATTENTION"}`}</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <header>
          <h1>Vigil</h1>
          <p id="verdict" class={stable ? "verdict ok" : "verdict bad"}>
            {stable ? "STABLE" : "NEEDS ATTENTION"}
          </p>
          <p class="muted">
            Last 24 hours · Production ready: {r.productionReady ? "YES" : "NO"} · updated {when(d.now)} · refreshes every minute
          </p>
          <ul class="checks">
            {r.checks.map((c) => (
              <li class={c.pass ? "pass" : "fail"}>
                {c.pass ? "✓" : "✗"} {c.label} {c.threshold}
              </li>
            ))}
          </ul>
        </header>

        <section aria-labelledby="alerts-h">
          <h2 id="alerts-h">Firing alerts ({d.firing.length})</h2>
          {d.firing.length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <ul id="firing" class="alerts">
              {d.firing.map((a) => (
                <li class={`sev-${a.severity}`}>
                  <strong>{a.severity.toUpperCase()}</strong> {a.rule} {d.full ? `— ${a.summary}` : ""} <span class="muted">since {when(a.since)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section aria-labelledby="jobs-h">
          <h2 id="jobs-h">Vigil's own jobs</h2>
          <table id="jobs">
            <thead>
              <tr><th>Job</th><th>Schedule</th><th>Last run</th><th>Status</th><th>Missed</th></tr>
            </thead>
            <tbody>
              {d.jobs.map((j) => (
                <tr class={j.missed ? "fail" : ""}>
                  <td>{j.job}</td><td><code>{j.schedule}</code></td><td>{when(j.lastRunAt)}</td><td>{j.lastStatus ?? "–"}</td><td>{j.missed ? `${j.missedIntervals}+ runs` : "no"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>

        <section class="grid" aria-label="Charts">
          <LineChart id="chart-deliveries" title="Deliveries per 15 minutes" caption={`${m.deliveries} deliveries in 24 h, at most ${peak(d.deliveries)} in a quarter hour.`} format={int} series={[{ name: "deliveries", color: "#2563eb", points: d.deliveries }]} />
          <LineChart id="chart-rates" title="Success and error rate per hour" caption={`Success ${m.successRate === null ? "n/a" : pct(m.successRate)}, errors ${m.errorRate === null ? "n/a" : pct(m.errorRate)} over 24 h.`} format={pct} series={[{ name: "success", color: "#16a34a", points: d.successRate }, { name: "errors", color: "#dc2626", points: d.errorRate }]} />
          <LineChart id="chart-latency" title="Response time per hour" caption={`p50 ${m.responseTime.p50Ms === null ? "n/a" : ms(m.responseTime.p50Ms)}, p95 ${m.responseTime.p95Ms === null ? "n/a" : ms(m.responseTime.p95Ms)} over 24 h; threshold ${ms(threshold)}.`} format={ms} threshold={{ value: threshold, label: `${ms(threshold)} threshold` }} series={[{ name: "p50", color: "#0891b2", points: d.p50 }, { name: "p95", color: "#9333ea", points: d.p95 }]} />
          <LineChart id="chart-signatures" title="Signature failures per hour" caption={`${m.signatureFailures} signature failures in 24 h (goal: none).`} format={int} series={[{ name: "failures", color: "#dc2626", points: d.signatureFailures }]} />
          <LineChart
            id="chart-verdicts"
            title="Conversation verdicts per hour"
            caption={`${total(d.verdicts.pass)} passed, ${total(d.verdicts.partial)} partial, ${total(d.verdicts.fail)} failed in 24 h.${d.topCategories.length ? ` Top failure causes: ${d.topCategories.map((c) => `${c.category} (${c.count})`).join(", ")}.` : ""}${d.verifierUnavailable ? ` ${d.verifierUnavailable} not confirmed: system-of-record verifier unavailable.` : ""}`}
            format={int}
            series={[{ name: "pass", color: "#16a34a", points: d.verdicts.pass }, { name: "partial", color: "#d97706", points: d.verdicts.partial }, { name: "fail", color: "#dc2626", points: d.verdicts.fail }]}
          />
          <LineChart id="chart-runs" title="Runs per hour" caption={`${total(d.runs.completed)} completed, ${total(d.runs.failed)} failed, ${total(d.runs.stalled)} stalled in 24 h.`} format={int} series={[{ name: "completed", color: "#16a34a", points: d.runs.completed }, { name: "failed", color: "#dc2626", points: d.runs.failed }, { name: "stalled", color: "#d97706", points: d.runs.stalled }]} />
        </section>

        <section aria-labelledby="checkpoints-h">
          <h2 id="checkpoints-h">Latest checkpoints</h2>
          <table id="checkpoints">
            <thead>
              <tr><th>Window (UTC)</th><th>Status</th><th>Deliveries</th><th>Processed</th><th>Sig. failures</th><th>Errors</th><th>Avg / p95</th></tr>
            </thead>
            <tbody>
              {d.checkpoints.length === 0 && (
                <tr>
                  <td colspan={7} class="muted">No checkpoint closed yet: the first closes at the next 00/04/08/12/16/20 UTC.</td>
                </tr>
              )}
              {d.checkpoints.map((c) => (
                <tr class={c.status === "ok" ? "" : c.status}>
                  <td>{when(c.windowStart)} – {new Date(c.windowEnd).toISOString().slice(11, 16)}</td>
                  <td>{c.metrics.deliveries === 0 ? "no traffic" : c.status}</td><td>{c.metrics.deliveries}</td><td>{c.metrics.processed}</td><td>{c.metrics.signatureFailures}</td><td>{c.metrics.errors}</td>
                  <td>{c.metrics.responseTime.avgMs === null ? "–" : `${ms(c.metrics.responseTime.avgMs)} / ${ms(c.metrics.responseTime.p95Ms ?? 0)}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>

        {d.full && (
          <section aria-labelledby="conversations-h">
            <h2 id="conversations-h">Latest failed conversations</h2>
            <table id="failed-conversations">
              <thead>
                <tr><th>When</th><th>Session</th><th>Intent</th><th>Summary</th><th>Diagnosis</th></tr>
              </thead>
              <tbody>
                {d.failedConversations.map((c) => (
                  <tr><td>{when(c.at)}</td><td><code>{c.sessionId}</code></td><td>{c.intent ?? "–"}</td><td>{c.summary ?? "–"}</td><td>{c.category ?? "pending"}</td></tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
        {d.full && (
          <section aria-labelledby="runs-h">
            <h2 id="runs-h">Latest failed runs</h2>
            <table id="failed-runs">
              <thead>
                <tr><th>When</th><th>Session</th><th>Task</th><th>Status</th><th>Tasks</th></tr>
              </thead>
              <tbody>
                {d.failedRuns.map((f) => (
                  <tr><td>{when(f.at)}</td><td><code>{f.sessionId}</code></td><td>{f.taskDescription}</td><td>{f.status}</td><td>{f.completedTasks}/{f.totalTasks}</td></tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </body>
    </html>
  );
};

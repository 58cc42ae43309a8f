import type { FC } from "hono/jsx";
import type { Point } from "./data.js";

// Charts drawn on the server as inline SVG that stretches to its box, with the axis labels as
// HTML text around it: the labels keep their CSS size (>= 11 px) however narrow the chart is.

interface Series {
  name: string;
  color: string;
  points: Point[];
}

export interface ChartProps {
  id: string;
  title: string;
  caption: string;
  series: Series[];
  format: (v: number) => string;
  /** Counts are bars (stacked when several series); rates and latencies are lines. */
  kind: "bars" | "line";
  threshold?: { value: number; label: string };
  /** "HH:MM" for short ranges, "Mon 23 14:00" for a week. */
  timeLabel: (ms: number) => string;
}

const VIEW_H = 100;
const STEP = 10;

/** A round number at or above `v` whose half is round too, so the labels read 40 / 20 rather than 37.3. */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 4, 5, 10].find((m) => m * power >= v) ?? 10) * power;
}

/** Consecutive points with a value; a series with gaps is drawn as several segments. */
function segments(points: Point[]): { i: number; v: number }[][] {
  const out: { i: number; v: number }[][] = [];
  let current: { i: number; v: number }[] = [];
  points.forEach((p, i) => {
    if (p.value === null) {
      if (current.length) out.push(current);
      current = [];
    } else current.push({ i, v: p.value });
  });
  if (current.length) out.push(current);
  return out;
}

export const Chart: FC<ChartProps> = (p) => {
  const n = Math.max(1, p.series[0]?.points.length ?? 1);
  const stackTotals = Array.from({ length: n }, (_, i) => p.series.reduce((a, s) => a + (s.points[i]?.value ?? 0), 0));
  const values = p.kind === "bars" ? stackTotals : p.series.flatMap((s) => s.points.map((pt) => pt.value ?? 0));
  const yMax = niceMax(Math.max(0, ...values, p.threshold?.value ?? 0));
  const y = (v: number) => VIEW_H - (v / yMax) * VIEW_H;
  const x = (i: number) => i * STEP + STEP / 2;
  const empty = p.series.every((s) => s.points.every((pt) => !pt.value));
  const points = p.series[0]?.points ?? [];
  const ticks = points.length ? [points[0]!.at, points[Math.floor(points.length / 2)]!.at, points.at(-1)!.at] : [];
  return (
    <figure class="chart" id={p.id}>
      <figcaption>
        <strong>{p.title}</strong>
        <span class="legend">
          {p.series.map((s) => (
            <span>
              <i style={`background:${s.color}`} /> {s.name}
            </span>
          ))}
        </span>
      </figcaption>
      <div class="plot">
        <div class="y-axis" aria-hidden="true">
          <span class="tick" style="top:0">
            {p.format(yMax)}
          </span>
          <span class="tick" style="top:50%">
            {p.format(yMax / 2)}
          </span>
          <span class="tick" style="top:100%">
            {p.format(0)}
          </span>
        </div>
        <div class="area">
          <svg viewBox={`0 0 ${n * STEP} ${VIEW_H}`} preserveAspectRatio="none" role="img" aria-labelledby={`${p.id}-title ${p.id}-desc`}>
            <title id={`${p.id}-title`}>{p.title}</title>
            <desc id={`${p.id}-desc`}>{p.caption}</desc>
            <line class="grid" x1="0" x2={n * STEP} y1={VIEW_H / 2} y2={VIEW_H / 2} />
            {p.kind === "bars" &&
              points.map((_, i) => {
                let base = 0;
                return p.series.map((s) => {
                  const v = s.points[i]?.value ?? 0;
                  if (v <= 0) return null;
                  base += v;
                  return (
                    <rect
                      data-series={s.name}
                      x={(i * STEP + 1).toFixed(1)}
                      width={(STEP - 2).toFixed(1)}
                      y={y(base).toFixed(2)}
                      height={((v / yMax) * VIEW_H).toFixed(2)}
                      fill={s.color}
                    />
                  );
                });
              })}
            {p.kind === "line" &&
              p.series.map((s) =>
                segments(s.points).map((seg) =>
                  // A lone point (one hour with traffic) is a dot, not an invisible line.
                  seg.length === 1 ? (
                    <line
                      data-series={s.name}
                      class="dot"
                      x1={x(seg[0]!.i)}
                      x2={x(seg[0]!.i)}
                      y1={y(seg[0]!.v).toFixed(2)}
                      y2={y(seg[0]!.v).toFixed(2)}
                      stroke={s.color}
                    />
                  ) : (
                    <polyline
                      data-series={s.name}
                      fill="none"
                      stroke={s.color}
                      points={seg.map((pt) => `${x(pt.i)},${y(pt.v).toFixed(2)}`).join(" ")}
                    />
                  ),
                ),
              )}
            {p.threshold && (
              <line class="threshold" x1="0" x2={n * STEP} y1={y(p.threshold.value).toFixed(2)} y2={y(p.threshold.value).toFixed(2)} />
            )}
          </svg>
          {p.threshold && (
            <span class="threshold-label" style={`top:${((y(p.threshold.value) / VIEW_H) * 100).toFixed(1)}%`}>
              {p.threshold.label}
            </span>
          )}
          {empty && <span class="empty">No data in this range yet</span>}
        </div>
        <div class="x-axis" aria-hidden="true">
          {ticks.map((t) => (
            <span class="tick">{p.timeLabel(t)}</span>
          ))}
        </div>
      </div>
      <p class="caption">{p.caption}</p>
      <details>
        <summary>Data table</summary>
        <table>
          <thead>
            <tr>
              <th>Time (UTC)</th>
              {p.series.map((s) => (
                <th>{s.name}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {points.map((pt, i) => (
              <tr>
                <td>{p.timeLabel(pt.at)}</td>
                {p.series.map((s) => {
                  const v = s.points[i]?.value;
                  return <td>{v === null || v === undefined ? "–" : p.format(v)}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
};

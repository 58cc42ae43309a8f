import type { FC } from "hono/jsx";
import type { Point } from "./data.js";

const W = 600;
const H = 170;
const PAD = { left: 44, right: 8, top: 10, bottom: 22 };
const time = (ms: number) => new Date(ms).toISOString().slice(11, 16);

export interface Series {
  name: string;
  color: string;
  points: Point[];
}

/**
 * A line chart as inline SVG, drawn on the server: one polyline per series (points without a
 * value are left out), an optional threshold line, a caption with the numbers that matter and
 * the data as a table for anyone who cannot see the picture.
 */
export const LineChart: FC<{ id: string; title: string; caption: string; series: Series[]; format: (v: number) => string; threshold?: { value: number; label: string } }> = (p) => {
  const values = p.series.flatMap((s) => s.points.map((pt) => pt.value).filter((v): v is number => v !== null));
  const yMax = Math.max(1e-9, ...values, p.threshold?.value ?? 0) * 1.1;
  const n = Math.max(1, (p.series[0]?.points.length ?? 1) - 1);
  const x = (i: number) => PAD.left + (i / n) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - v / yMax) * (H - PAD.top - PAD.bottom);
  const first = p.series[0]?.points[0]?.at;
  const last = p.series[0]?.points.at(-1)?.at;
  return (
    <figure class="chart" id={p.id}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${p.id}-title ${p.id}-desc`} preserveAspectRatio="none">
        <title id={`${p.id}-title`}>{p.title}</title>
        <desc id={`${p.id}-desc`}>{p.caption}</desc>
        <line x1={PAD.left} y1={H - PAD.bottom} x2={W - PAD.right} y2={H - PAD.bottom} class="axis" />
        <text x={PAD.left - 4} y={PAD.top + 8} class="tick" text-anchor="end">{p.format(yMax / 1.1)}</text>
        <text x={PAD.left - 4} y={H - PAD.bottom} class="tick" text-anchor="end">0</text>
        {first !== undefined && <text x={PAD.left} y={H - 6} class="tick">{time(first)}</text>}
        {last !== undefined && <text x={W - PAD.right} y={H - 6} class="tick" text-anchor="end">{time(last)}</text>}
        {p.threshold && (
          <g class="threshold">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(p.threshold.value)} y2={y(p.threshold.value)} />
            <text x={W - PAD.right} y={y(p.threshold.value) - 3} text-anchor="end" class="tick">{p.threshold.label}</text>
          </g>
        )}
        {p.series.map((s) =>
          // Hourly series also get point markers, so a lone hour with data is visible.
          s.points.length <= 48
            ? s.points.map((pt, i) => (pt.value === null ? null : <circle cx={x(i).toFixed(1)} cy={y(pt.value).toFixed(1)} r="2.5" fill={s.color} />))
            : null,
        )}
        {p.series.map((s) => (
          <polyline
            data-series={s.name}
            fill="none"
            stroke={s.color}
            stroke-width="2"
            points={s.points.flatMap((pt, i) => (pt.value === null ? [] : [`${x(i).toFixed(1)},${y(pt.value).toFixed(1)}`])).join(" ")}
          />
        ))}
      </svg>
      <figcaption>
        <strong>{p.title}.</strong> {p.caption}
        <span class="legend">
          {p.series.map((s) => (
            <span>
              <i style={`background:${s.color}`} /> {s.name}
            </span>
          ))}
        </span>
      </figcaption>
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
            {(p.series[0]?.points ?? []).map((pt, i) => (
              <tr>
                <td>{time(pt.at)}</td>
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

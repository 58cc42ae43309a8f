// Inline so the page needs no other request and no outside asset. Text is never under 12 px.
export const STYLE = `
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1180px;padding:24px 20px 40px;color:#0f172a;background:#f8fafc}
h1{margin:0;font-size:24px;letter-spacing:-.01em}h2{font-size:18px;margin:0 0 12px}h3{font-size:15px;margin:18px 0 8px}
section{background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:18px 20px;margin-top:18px}
.muted{color:#64748b}.empty-note{margin:0}.hint{background:#f1f5f9;border-radius:8px;padding:10px 12px;margin:8px 0 0}
.title{display:flex;align-items:center;justify-content:space-between;gap:12px;flex-wrap:wrap}
.ranges{display:flex;border:1px solid #cbd5e1;border-radius:8px;overflow:hidden}
.ranges a{padding:6px 14px;color:#334155;text-decoration:none;font-size:14px;font-weight:600}.ranges a+a{border-left:1px solid #cbd5e1}
.ranges a[aria-current=page]{background:#0f172a;color:#fff}
.verdict{display:inline-block;font-weight:700;font-size:20px;padding:6px 16px;border-radius:999px;margin:14px 0 6px}
.verdict.ok{background:#dcfce7;color:#14532d}.verdict.bad{background:#fee2e2;color:#7f1d1d}.verdict.none{background:#e2e8f0;color:#334155}
.checks{list-style:none;padding:0;margin:8px 0 0;display:flex;flex-wrap:wrap;gap:6px 18px;font-size:14px}
.checks .pass{color:#166534}.checks .fail{color:#991b1b}.checks .none{color:#64748b}
.alerts{margin:0;padding-left:18px}.alerts li{margin:4px 0}.sev-critical strong{color:#b91c1c}.sev-high strong{color:#c2410c}.sev-medium strong{color:#a16207}
tr.regression td{background:#fef2f2}table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e2e8f0;vertical-align:top}th{color:#475569;font-weight:600}
tr.fail td,tr.critical td{background:#fef2f2}tr.warning td{background:#fffbeb}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,440px),1fr));gap:22px}
.chart{margin:0}.chart figcaption{display:flex;justify-content:space-between;gap:8px;flex-wrap:wrap;font-size:14px;margin-bottom:6px}
.legend{font-size:13px;color:#475569}.legend span{margin-left:10px}.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:3px}
.plot{display:grid;grid-template-columns:52px 1fr;grid-template-rows:170px auto}
.y-axis{position:relative;border-right:1px solid #cbd5e1}.x-axis{grid-column:2;display:flex;justify-content:space-between;padding-top:4px}
.tick{font-size:12px;color:#64748b;white-space:nowrap}.y-axis .tick{position:absolute;right:6px;transform:translateY(-50%)}
.area{position:relative;border-bottom:1px solid #cbd5e1}.area svg{display:block;width:100%;height:100%}
.area polyline,.area line{vector-effect:non-scaling-stroke;stroke-width:2.5;stroke-linejoin:round;stroke-linecap:round}
.area .dot{stroke-width:8}.area .grid{stroke:#e2e8f0;stroke-width:1}.area .threshold{stroke:#dc2626;stroke-dasharray:5 4;stroke-width:1.5}
.threshold-label{position:absolute;right:4px;transform:translateY(-115%);font-size:12px;color:#b91c1c;background:rgba(255,255,255,.8)}
.empty{position:absolute;inset:0;display:flex;align-items:center;justify-content:center;color:#94a3b8;font-size:14px}
.caption{font-size:13px;color:#475569;margin:6px 0 0}
details{font-size:13px;margin-top:4px}details table{font-size:13px}
footer{margin-top:18px;font-size:13px}
@media (max-width:600px){body{padding:12px 10px}section{padding:14px 12px}th,td{padding:4px}.plot{grid-template-columns:44px 1fr}}
`;

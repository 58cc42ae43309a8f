// Inline so the page needs no other request and no outside asset.
export const STYLE = `
*{box-sizing:border-box}body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:16px;color:#111;background:#fafafa}
h1{margin:0;font-size:22px}h2{font-size:17px;margin:24px 0 8px}.muted{color:#666}
.verdict{display:inline-block;font-weight:700;font-size:20px;padding:6px 14px;border-radius:6px;margin:8px 0}
.verdict.ok{background:#dcfce7;color:#14532d}.verdict.bad{background:#fee2e2;color:#7f1d1d}
.checks{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px 16px}.checks .pass{color:#166534}.checks .fail{color:#991b1b}
.alerts{padding-left:18px}.sev-critical strong{color:#b91c1c}.sev-high strong{color:#c2410c}.sev-medium strong{color:#a16207}
table{border-collapse:collapse;width:100%;font-size:14px;background:#fff}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e5e5e5;vertical-align:top}
tr.fail td,tr.critical td{background:#fef2f2}tr.warning td{background:#fffbeb}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:16px}
.chart{margin:0;background:#fff;border:1px solid #e5e5e5;border-radius:6px;padding:8px}.chart svg{width:100%;height:170px}
.axis{stroke:#999}.tick{font-size:10px;fill:#666}.threshold line{stroke:#dc2626;stroke-dasharray:4 3}
figcaption{font-size:13px;margin-top:4px}.legend{display:block;margin-top:2px}.legend span{margin-right:10px}.legend i{display:inline-block;width:10px;height:10px;border-radius:2px}
details{font-size:12px;margin-top:4px}details table{font-size:12px}
@media (max-width:600px){body{padding:8px}th,td{padding:3px 4px}}
`;

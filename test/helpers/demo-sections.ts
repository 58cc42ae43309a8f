/** The parts of the status page that are still empty (none, once the demo has filled it). */
export function demoSectionsFilled(html: string): string[] {
  const chart = (id: string) => new RegExp(`<figure class="chart" id="${id}">[\\s\\S]*?</figure>`).exec(html)?.[0] ?? "";
  const table = (id: string) => new RegExp(`<table id="${id}">[\\s\\S]*?</table>`).exec(html)?.[0] ?? "";
  const missing: string[] = [];
  for (const id of ["chart-deliveries", "chart-rates", "chart-latency", "chart-signatures", "chart-verdicts", "chart-runs"]) {
    if (chart(id).includes("No data in this range yet")) missing.push(id);
  }
  if (!/<ul id="firing"/.test(html)) missing.push("alerts");
  if (!/<td>(tool_error|integration_failure|knowledge_gap|prompt_or_policy)<\/td>/.test(table("failed-conversations")))
    missing.push("diagnosed conversations");
  if (!/<td><code>deploy-/.test(table("failed-runs"))) missing.push("failed runs");
  if (!/[1-9]\d* stalled/.test(chart("chart-runs"))) missing.push("a stalled run");
  if (!/<td>(ok|warning|critical)<\/td>/.test(table("checkpoints"))) missing.push("checkpoints");
  if (/<td>never<\/td>/.test(table("jobs"))) missing.push("jobs");
  if (!/<td>\$0\.0\d+<\/td>/.test(table("cost-hourly"))) missing.push("cost per conversation");
  return missing;
}

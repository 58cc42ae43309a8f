import type { VigilClient } from "../src/client/vigil-client.js";

// The simulated agent pipeline: each run plans a few tasks, starts an agent per task and reports
// how each went. One in four runs has a failing agent; a run that is told to stall stops
// reporting after its first task, which is what Vigil's stall detector is for.

const AGENTS = ["planner-agent", "backend-agent", "frontend-agent", "test-agent"];
const TASKS = [
  "Add appointment reminders",
  "Fix double-booking race",
  "Migrate patients table",
  "Upgrade the SMS provider",
  "Speed up the availability query",
];

export async function simulateRun(client: VigilClient, n: number, options: { stall?: boolean } = {}): Promise<string> {
  const sessionId = `${options.stall ? "stuck" : "deploy"}-${String(n).padStart(3, "0")}`;
  const total = 2 + (n % 3);
  const failAt = n % 4 === 3 ? (n % 8 === 3 ? 1 : total) : -1;
  await client.startOrchestration({
    sessionId,
    taskDescription: TASKS[n % TASKS.length]!,
    totalTasks: total,
    gitCommitHash: (0xabc123 + n * 7919).toString(16),
  });
  let completed = 0;
  let failed = 0;
  for (let task = 1; task <= total; task++) {
    const agentSessionId = `${sessionId}-a${task}`;
    await client.startAgentExecution({
      agentSessionId,
      agentName: AGENTS[(task - 1) % AGENTS.length]!,
      orchestrationSessionId: sessionId,
      taskNumber: task,
    });
    if (options.stall) return sessionId;
    const ok = task !== failAt;
    await client.completeAgentExecution(agentSessionId, {
      status: ok ? "completed" : "failed",
      filesCreated: ok ? task : 0,
      filesModified: 2 + task,
      retryCount: ok ? 0 : 2,
      selfHealed: false,
      ...(ok ? {} : { errorMessage: "integration tests failed: 3 of 41" }),
    });
    if (ok) completed++;
    else failed++;
    await client.reportProgress(sessionId, { completedTasks: completed, failedTasks: failed });
  }
  await client.completeOrchestration(sessionId, {
    status: failed === 0 ? "completed" : completed > 0 ? "partial" : "failed",
    completedTasks: completed,
    failedTasks: failed,
  });
  return sessionId;
}

import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { NotFoundError } from "../../errors.js";
import { runJob } from "../../jobs/run-job.js";
import { isJobName, type JobFn, type JobName } from "../../jobs/types.js";
import type { AppEnv } from "../app-env.js";
import { requireBearer } from "../auth.js";

/** Vercel cron entry: authenticate, run the job under its lease, answer its summary. */
export function cronRoutes(deps: Deps, jobs: Record<JobName, JobFn>) {
  return new Hono<AppEnv>()
    .use("/api/cron/*", requireBearer(deps.env.CRON_SECRET, "CRON_SECRET", deps.log))
    .get("/api/cron/:job", async (c) => {
      const job = c.req.param("job");
      if (!isJobName(job)) throw new NotFoundError(`No job named "${job}"`);
      const outcome = await runJob(deps, job, jobs[job]);
      if (outcome.status === "skipped") return c.json({ job, runId: outcome.runId, skipped: outcome.reason });
      return c.json({ job, runId: outcome.runId, ...outcome.summary });
    });
}

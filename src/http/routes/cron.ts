import { Hono } from "hono";
import type { AppContext } from "../context.js";
import { MethodNotAllowedError, NotFoundError } from "../../errors.js";
import { runJob } from "../../jobs/run-job.js";
import { isJobName, type JobName } from "../../job-records/names.js";
import type { JobFn } from "../../jobs/types.js";
import type { AppEnv } from "../app-env.js";
import { requireBearer } from "../auth.js";
import { answer, defineRoute, errorReply, json } from "../contract.js";
import { jobAnswers } from "../schemas/jobs.js";

export const CRON_ROUTES = {
  run: defineRoute({
    method: "GET",
    path: "/api/cron/:job",
    auth: "cron",
    tag: "Vigil",
    summary: "Run a job (heartbeat, monitor, checkpoint) under its lease",
    responses: {
      // The job's own summary: the one deliberately open answer.
      200: json(() => jobAnswers().cronBody),
      404: errorReply,
      405: errorReply,
      500: errorReply,
    },
  }),
};

/** Vercel cron entry: authenticate, run the job under its lease, answer its summary. */
export function cronRoutes(deps: AppContext, jobs: Record<JobName, JobFn>) {
  const R = CRON_ROUTES;
  return new Hono<AppEnv>().on(R.run.method, R.run.path, requireBearer(deps.settings.http.cronSecret, "CRON_SECRET", deps), async (c) => {
    // Hono answers HEAD with the GET handler; a HEAD must not run a job.
    if (c.req.method !== "GET") throw new MethodNotAllowedError("Cron jobs run on GET only");
    const job = c.req.param("job");
    if (!isJobName(job)) throw new NotFoundError(`No job named "${job}"`);
    const outcome = await runJob(deps, job, jobs[job]);
    if (outcome.status === "skipped") return answer(c, R.run, 200, { job, runId: outcome.runId, skipped: outcome.reason });
    return answer(c, R.run, 200, { job, runId: outcome.runId, ...outcome.summary });
  });
}

import { Hono } from "hono";
import type { Deps } from "../../deps.js";
import { jobHealth } from "../../jobs/job-health.js";
import { JOB_NAMES } from "../../jobs/types.js";
import type { AppEnv } from "../app-env.js";
import { iso } from "../../time.js";

export function jobRoutes(deps: Deps) {
  return new Hono<AppEnv>().get("/api/jobs", async (c) => {
    const now = deps.clock();
    const jobs = await Promise.all(JOB_NAMES.map((job) => jobHealth(deps.db, job, now)));
    return c.json({
      jobs: jobs.map((j) => ({
        ...j,
        lastRunAt: iso(j.lastRunAt),
        recent: j.recent.map((r) => ({ ...r, startedAt: iso(r.startedAt), finishedAt: iso(r.finishedAt) })),
      })),
    });
  });
}

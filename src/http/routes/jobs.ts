import { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../context.js";
import { jobHealth } from "../../job-records/job-health.js";
import { JOB_NAMES } from "../../job-records/names.js";
import type { AppEnv } from "../app-env.js";
import { answer, defineRoute, json } from "../contract.js";
import { withIsoTimes } from "../iso-times.js";

// Built on first use (the OpenAPI document, the tests), never at a cold start.
const jobsBody = () => {
  const maybeTime = z.string().nullable();
  const jobRun = z.strictObject({
    id: z.string(),
    job: z.string(),
    startedAt: maybeTime,
    finishedAt: maybeTime,
    status: z.string(),
    durationMs: z.number().nullable(),
    summary: z.unknown(),
    error: z.string().nullable(),
  });
  return z.strictObject({
    jobs: z.array(
      z.strictObject({
        job: z.string(),
        schedule: z.string(),
        lastRunAt: maybeTime,
        lastStatus: z.string().nullable(),
        missedIntervals: z.number(),
        missed: z.boolean(),
        recent: z.array(jobRun),
      }),
    ),
  });
};

export const JOB_ROUTES = {
  jobs: defineRoute({
    method: "GET",
    path: "/api/jobs",
    auth: "apiKey",
    tag: "Vigil",
    summary: "Latest runs of each job, missed schedules",
    responses: { 200: json(jobsBody) },
  }),
};

export function jobRoutes(deps: AppContext) {
  const R = JOB_ROUTES;
  return new Hono<AppEnv>().on(R.jobs.method, R.jobs.path, async (c) => {
    const now = deps.clock();
    const jobs = await Promise.all(JOB_NAMES.map((job) => jobHealth(deps.db, job, deps.settings.jobs.schedules[job], now)));
    return answer(c, R.jobs, 200, {
      jobs: jobs.map((j) => ({
        ...withIsoTimes(j, "lastRunAt"),
        recent: j.recent.map((r) => withIsoTimes(r, "startedAt", "finishedAt")),
      })),
    });
  });
}

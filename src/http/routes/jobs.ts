import { Hono } from "hono";
import type { AppContext } from "../context.js";
import { jobHealth } from "../../job-records/job-health.js";
import { JOB_NAMES } from "../../job-records/names.js";
import type { AppEnv } from "../app-env.js";
import { answer, defineRoute, json } from "../contract.js";
import { withIsoTimes } from "../iso-times.js";
import { jobAnswers } from "../schemas/jobs.js";

export const JOB_ROUTES = {
  jobs: defineRoute({
    method: "GET",
    path: "/api/jobs",
    auth: "apiKey",
    tag: "Vigil",
    summary: "Latest runs of each job, missed schedules",
    responses: { 200: json(() => jobAnswers().jobsBody) },
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

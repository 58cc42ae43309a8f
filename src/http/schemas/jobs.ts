import { z } from "zod";
import { lazy } from "../contract.js";

// What the job routes answer: each job's health (routes/jobs.ts) and a cron run's summary
// (routes/cron.ts). Times are ISO-8601 strings.
// Built on first use (the OpenAPI document, the tests), never at a cold start.
export const jobAnswers = lazy(() => {
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
  const jobsBody = z.strictObject({
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
  // A job's summary is its own (JobSummary is an open record): the one deliberately open answer.
  const cronBody = z.looseObject({ job: z.string(), runId: z.string(), skipped: z.enum(["locked", "already_ran"]).optional() });
  return { jobsBody, cronBody };
});

// Its own function so the job gets the cron maxDuration (vercel.ts); the same bundle as api/index.
export { default } from "#vigil-bundle";

// Its own function so vercel.json can give crons the long maxDuration.
export { default } from "../../src/vercel-entry.js";

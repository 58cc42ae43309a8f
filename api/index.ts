export { default } from "../src/vercel-entry.js";

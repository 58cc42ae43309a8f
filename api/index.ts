// Vercel's Node builder traces this file: the app is the one bundle `npm run build` wrote
// (package.json "imports"; the types are src/vercel-entry.ts itself).
export { default } from "#vigil-bundle";

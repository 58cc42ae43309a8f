#!/usr/bin/env node
// `npx vigil <command>`: the CLI's TypeScript, run through tsx's loader (installed with the
// project), in this process: no `npm run` banner ahead of what a command writes to stdout.
import { register } from "tsx/esm/api";

register();
await import(new URL("../src/cli/main.ts", import.meta.url).href);

#!/usr/bin/env node
import { main } from "./main.ts";

// The only place that touches process globals: everything below takes them as parameters.
const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  today: new Date().toISOString().slice(0, 10),
  debug: process.env.BLASTGATE_DEBUG === "1",
});
process.exitCode = code;

// Runs one `timbre` command (the CLI's sources) in a fresh process, as a user would type it, then
// prints its peak RSS and duration as a JSON object on the last line of stdout:
// `TIMBRE_HOME=... node --import tsx test/bench/nsynth-child.ts dataset import DIR ...`.
import { main } from '../../src-main/cli';

const t0 = performance.now();
const code = await main(process.argv.slice(2));
process.stdout.write(
  `\n${JSON.stringify({
    code,
    seconds: (performance.now() - t0) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
process.exitCode = code;

// `npm run tools`: builds the Temporal servers once per machine (minutes the first time), so that
// tests, `npm start` and `npm run rehearse` find them ready, and prints where they are.
// `npm run tools -- --measure [runs]` also times how long each server takes to answer gRPC, the
// number that decides whether the SDK's 5 s start-up window is enough on this machine.
import { parseArgs } from 'node:util';
import {
  devServerArgs,
  measureStart,
  temporalCliPath,
  temporalServerTools,
  testServerCommand,
  testServerPath,
  toolsOptionsFromEnv,
  type Command,
} from './temporal-tools.ts';

const { values } = parseArgs({
  options: { measure: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  // `--measure` alone means the default number of runs.
  args: process.argv.slice(2).map((arg) => (arg === '--measure' ? '--measure=5' : arg)),
});

if (values.help) {
  console.log('Usage: npm run tools [-- --measure[=runs]]');
  process.exit(0);
}

const options = { ...toolsOptionsFromEnv(), log: (message: string) => console.error(message) };

// One after the other: the Go build uses both cores for minutes, and the test server's training
// run should not start under that load.
const testServer = await testServerPath(options);
const cli = await temporalCliPath(options);
// Last: only `npm run rehearse` needs it, and it is the longest build (about ten minutes).
const server = await temporalServerTools(options);

console.log(`time-skipping test server: ${testServer ?? 'not available (no Java/Maven): tests use the SDK download'}`);
console.log(`Temporal CLI (dev server):  ${cli ?? 'not available (no Go): tests use the SDK download'}`);
console.log(`Temporal server:            ${server?.server ?? 'not available (no Go): npm run rehearse cannot run'}`);
console.log(`Temporal SQL schema tool:   ${server?.sqlTool ?? 'not available (no Go)'}`);

if (values.measure !== undefined) {
  const runs = Number(values.measure);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--measure wants a number of runs, got ${values.measure}`);
  const testServerArgs = (port: number) => [String(port)];
  // Only measure what this module built: a configured server's command line is unknown here.
  if (testServer !== undefined && options.serverPath === undefined) {
    const variants: [string, Command][] = [
      ['java -cp, no flags', await testServerCommand(options.toolsDir, { tuned: false })],
      ['start-up flags, no CDS', await testServerCommand(options.toolsDir, { archive: false })],
      ['start-up flags + CDS (wrapper)', { command: testServer, args: [] }],
    ];
    // Interleaved, so that a disturbance (another process, a cold page cache) hits every variant.
    const times = new Map<string, number[]>(variants.map(([name]) => [name, []]));
    for (let run = 0; run < runs; run++) {
      for (const [name, { command, args }] of variants) {
        times.get(name)!.push(await measureStart(command, args, testServerArgs));
      }
    }
    console.log('\ntime-skipping test server, spawn until gRPC answers:');
    for (const [name, samples] of times) console.log(`  ${name.padEnd(32)} ${summary(samples)}`);
  }
  if (cli !== undefined) {
    const samples: number[] = [];
    for (let run = 0; run < runs; run++) samples.push(await measureStart(cli, [], devServerArgs));
    console.log(`\ndev server, spawn until gRPC answers:\n  ${'temporal server start-dev'.padEnd(32)} ${summary(samples)}`);
  }
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const ms = (value: number) => `${Math.round(value)} ms`;
  return `median ${ms(median)}, min ${ms(sorted[0]!)}, max ${ms(sorted.at(-1)!)} (${sorted.length} runs: ${sorted.map(ms).join(', ')})`;
}

// P8: wall time of the demo (`wayback demo`, what `npm start` runs), from process start to exit.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { median } from './measure.js';

export function benchDemo(rounds: number, log: (line: string) => void): number {
  const times: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const start = performance.now();
    const child = spawnSync(process.execPath, ['dist/cli/bin.js', 'demo'], { encoding: 'utf8', env: { ...process.env, WAYBACK_DB: '', DATABASE_URL: '' } });
    const seconds = (performance.now() - start) / 1000;
    if (child.status !== 0) throw new Error(`the demo exited ${child.status}: ${child.stderr.split('\n')[0] ?? ''}`);
    times.push(seconds);
    log(`  round ${round}/${rounds} demo: ${seconds.toFixed(2)} s`);
  }
  return median(times);
}

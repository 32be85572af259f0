import { runStorms } from './cases/storm/run';
const t = Date.now();
try { console.log(runStorms({ runs: Number(process.argv[2] ?? 5), minutes: Number(process.argv[3] ?? 60), seed: 1 })); } catch (e) { console.log(String((e as Error).message).slice(0, 3000)); }
console.log('ms', Date.now() - t);

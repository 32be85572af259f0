import { rapiOverPty } from '../bench/node/gateway.bench.ts';
console.log(JSON.stringify(await rapiOverPty(), null, 1));

// Child process: the zero-latency fake OpenAI upstream every target talks to.
// Its own process, so its CPU is not charged to the load generator or to a target.
import { setInterval } from 'node:timers';
import { FakeOpenAI } from '@threadline/testing';

const fake = await FakeOpenAI.start();
// The fake records every request for tests; a load run would grow that list without bound.
setInterval(() => fake.reset(), 1000).unref();
process.on('SIGTERM', () => void fake.close().then(() => process.exit(0)));
process.on('SIGINT', () => undefined);
console.log(JSON.stringify({ ready: true, url: fake.baseURL }));

#!/usr/bin/env node
// The baseline tests/bench/run.sh sets beside Tocsin: the bulk send a network would most likely
// write instead, a loop over Twilio's official Node helper (the `twilio` npm package) with a
// fixed number of requests in flight, nothing persisted, nothing retried.
//
//   node bulk_send.js --base http://127.0.0.1:PORT --sid AC... --token T \
//                     --from +447700900001,+447700900002 --count N [--concurrency 100]
//
// Sends N messages with client.messages.create({to, from, body}), From round-robin over the
// given numbers, To +4477009xxxxx (distinct up to 100,000), at most --concurrency in flight.
// Prints one JSON line:
//   {"messages":N,"ok":K,"errors":E,"wall_s":S,"cpu_s":C,"msgs_per_cpu_s":R,"twilio":"X.Y.Z"}
// wall_s and cpu_s cover the sends only (client created, module loaded before the clock
// starts); cpu_s is this process's user + system CPU (process.cpuUsage), so the fake's own
// CPU is not in it. msgs_per_cpu_s counts successful messages. Exits 1 if any send failed.
"use strict";

const http = require("http");
const twilio = require("twilio");
const twilioVersion = require("twilio/package.json").version;

function usage(why) {
  process.stderr.write(
    `bulk_send: ${why}\n` +
      "usage: node bulk_send.js --base http://127.0.0.1:PORT --sid AC... --token T\n" +
      "       --from +44...,+44... --count N [--concurrency 100]\n");
  process.exit(2);
}

function parseArgs(argv) {
  const args = { concurrency: 100 };
  const names = new Set(["--base", "--sid", "--token", "--from", "--count", "--concurrency"]);
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    if (!names.has(name)) usage(`unknown argument ${name}`);
    if (i + 1 >= argv.length) usage(`missing value for ${name}`);
    args[name.slice(2)] = argv[i + 1];
  }
  for (const required of ["base", "sid", "token", "from", "count"]) {
    if (args[required] === undefined) usage(`--${required} is required`);
  }
  const base = new URL(args.base);  // throws on a malformed URL: fine for a bench tool
  if (base.protocol !== "http:" && base.protocol !== "https:") usage("--base must be http(s)");
  args.from = args.from.split(",").filter((n) => n.length > 0);
  if (args.from.length === 0) usage("--from names no number");
  args.count = Number(args.count);
  args.concurrency = Number(args.concurrency);
  if (!Number.isInteger(args.count) || args.count < 1) usage("bad value for --count");
  if (!Number.isInteger(args.concurrency) || args.concurrency < 1) {
    usage("bad value for --concurrency");
  }
  return args;
}

function makeClient(args) {
  // The helper's RequestClient builds only an https.Agent (keep-alive, a socket pool). Against
  // a plain-http loopback base axios would fall back to Node's global http agent, whose
  // keep-alive default differs between Node versions (off before 19), so give the same
  // helper-built client an http agent with the same keep-alive pool, sized for the concurrency.
  const pool = {
    keepAlive: true,
    maxSockets: args.concurrency,
    maxTotalSockets: args.concurrency,
    maxFreeSockets: args.concurrency,
  };
  const httpClient = new twilio.RequestClient(pool);
  httpClient.axios.defaults.httpAgent = new http.Agent(pool);

  const client = twilio(args.sid, args.token, { httpClient });
  // Every Messages request goes through the Api domain, whose baseUrl is
  // "https://api.twilio.com"; resources build their URLs from it at request time. With no
  // edge or region set the client leaves the host as given.
  client.api.baseUrl = args.base.replace(/\/+$/, "");
  return client;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const client = makeClient(args);
  const body = "RAID K7Q2: Rye Lane, SE15. Reply 1 if you can go, 2 if not.";

  let next = 0;
  let ok = 0;
  let errors = 0;
  const firstErrors = [];

  async function worker() {
    while (next < args.count) {
      const i = next++;
      const to = "+4477009" + String(i % 100000).padStart(5, "0");
      const from = args.from[i % args.from.length];
      try {
        await client.messages.create({ to, from, body });
        ++ok;
      } catch (err) {
        ++errors;
        if (firstErrors.length < 5) {
          firstErrors.push(`${to}: ${err.status || ""} ${err.code || ""} ${err.message}`);
        }
      }
    }
  }

  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const workers = [];
  for (let w = 0; w < Math.min(args.concurrency, args.count); ++w) workers.push(worker());
  await Promise.all(workers);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;

  for (const line of firstErrors) process.stderr.write(`bulk_send: error: ${line}\n`);
  const round = (x, digits) => Number(x.toFixed(digits));
  process.stdout.write(
    JSON.stringify({
      messages: args.count,
      ok,
      errors,
      wall_s: round(wall, 3),
      cpu_s: round(cpuSeconds, 3),
      msgs_per_cpu_s: round(cpuSeconds > 0 ? ok / cpuSeconds : 0, 1),
      twilio: twilioVersion,
    }) + "\n");
  process.exitCode = errors === 0 ? 0 : 1;
}

main().catch((err) => {
  process.stderr.write(`bulk_send: ${err.stack || err}\n`);
  process.exit(1);
});

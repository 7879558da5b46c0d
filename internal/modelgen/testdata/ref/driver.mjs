#!/usr/bin/env node
// Long-lived driver for internal/modelgen's differential test: runs the pinned
// official generator (@aws-amplify/graphql-generator -> appsync-modelgen-plugin)
// over many schemas in one process.
//
// Protocol: one JSON request per line on stdin, {"id": N, "schema": "...",
// "options": {...}}; one JSON response per line on stdout, {"id": N,
// "models": "<schema.js text>", "introspection": "<model-introspection.json>"}
// or {"id": N, "error": "..."}. The generator is loaded from $MODELGEN_REF_DIR,
// default: this folder (where scripts/deps.d/20-modelgen-ref.sh installs it).
// The first line written is {"ready": true, "versions": {...}}.

import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REF_DIR = path.resolve(process.env.MODELGEN_REF_DIR || HERE);
const fromRef = createRequire(path.join(REF_DIR, 'package.json'));

let generator;
try {
  generator = fromRef('@aws-amplify/graphql-generator');
} catch (err) {
  process.stdout.write(JSON.stringify({ ready: false, error: `cannot load @aws-amplify/graphql-generator from ${REF_DIR}: ${err.message}` }) + '\n');
  process.exit(1);
}
const fromGen = createRequire(fromRef.resolve('@aws-amplify/graphql-generator'));
const version = (req, n) => { try { return req(`${n}/package.json`).version; } catch { return 'unknown'; } };

// The plugin warns on stderr about unconnected model fields; keep stderr quiet.
console.warn = () => {};

async function generate(schema, options) {
  const js = await generator.generateModels({ ...options, schema, target: 'javascript' });
  const intro = await generator.generateModels({ ...options, schema, target: 'introspection' });
  return { models: js['schema.js'], introspection: intro['model-introspection.json'] };
}

process.stdout.write(JSON.stringify({
  ready: true,
  versions: {
    '@aws-amplify/graphql-generator': version(fromRef, '@aws-amplify/graphql-generator'),
    '@aws-amplify/appsync-modelgen-plugin': version(fromGen, '@aws-amplify/appsync-modelgen-plugin'),
    graphql: version(fromRef, 'graphql'),
  },
}) + '\n');

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
let queue = Promise.resolve();
rl.on('line', line => {
  if (!line.trim()) return;
  queue = queue.then(async () => {
    const req = JSON.parse(line);
    let res;
    try {
      res = { id: req.id, ...(await generate(req.schema, req.options || {})) };
    } catch (err) {
      res = { id: req.id, error: String(err && err.message ? err.message : err) };
    }
    process.stdout.write(JSON.stringify(res) + '\n');
  });
});
rl.on('close', () => { queue.then(() => process.exit(0)); });

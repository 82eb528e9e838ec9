#!/usr/bin/env node
'use strict';
// Entry point of the `anchorflow` command. The engine is TypeScript compiled into build/ by `npm run build:engine`.
const fs = require('fs');
const path = require('path');

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 18 || (major === 18 && minor < 17)) {
  console.error(`anchorflow: needs Node.js >= 18.17 (this is ${process.versions.node}); install a newer Node.js.`);
  process.exit(1);
}

const root = path.join(__dirname, '..');
const entry = path.join(root, 'build', 'client', 'engine', 'cli.js');
if (!fs.existsSync(entry)) {
  console.error(`anchorflow: the engine is not built yet; run \`npm run build:engine\` in ${root} first.`);
  process.exit(1);
}
require(entry).main(process.argv.slice(2));

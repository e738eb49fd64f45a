#!/usr/bin/env node
// `djx` for npx and npm bin links: runs the bundled CLI (build it with `npm run build`).
require('../dist/cli.js');

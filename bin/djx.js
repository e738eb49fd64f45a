#!/usr/bin/env node
// `dj` for npx and npm bin links: runs the bundled CLI (build it with `npm run build`).
require('../dist/cli.js');

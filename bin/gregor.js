#!/usr/bin/env node
// `node bin/gregor.js ...`, kept for scripts that run it: the CLI is bin/gregor.cjs (the package's
// bin), which starts faster as a CommonJS entry.
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./gregor.cjs');

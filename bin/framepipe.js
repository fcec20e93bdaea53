#!/usr/bin/env -S node --initial-old-space-size=128
// Node flags: src/shared/node-flags.ts (why) and test/unit/deploy/node-flags.test.ts (in step).
import '../dist/cli.js';

#!/usr/bin/env node
// A stable file for npm to link at install time, before dist/ is built in a fresh clone.
import '../dist/cli.js';

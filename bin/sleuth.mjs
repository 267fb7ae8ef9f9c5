#!/usr/bin/env node
// The `sleuth` command. Sleuth is written in TypeScript and runs through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../services/server/src/cli.ts');
process.exitCode = await main(process.argv.slice(2));

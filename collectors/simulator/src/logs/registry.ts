import type { LogFormat } from '../fleet/types';
import { corednsDialect } from './coredns';
import type { LogDialect } from './dialect';
import { goDialect } from './go-logfmt';
import { javaDialect } from './java-spring';
import { nginxDialect } from './nginx';
import { nodeDialect } from './node-json';
import { postgresDialect } from './postgres';
import { pythonDialect } from './python-logging';
import { redisDialect } from './redis';

/** The log dialect of every log format; adding a format is a file and one entry here. */
export const DIALECTS = {
  nginx: nginxDialect,
  node: nodeDialect,
  java: javaDialect,
  go: goDialect,
  python: pythonDialect,
  postgres: postgresDialect,
  redis: redisDialect,
  coredns: corednsDialect,
} satisfies Record<LogFormat, LogDialect>;

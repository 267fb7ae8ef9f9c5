import { writeFileSync } from 'node:fs';
import { renderConfigDocs } from '../services/core/src/config-docs';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigDocs());

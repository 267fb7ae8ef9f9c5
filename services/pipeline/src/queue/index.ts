export * from './ingest-queue';

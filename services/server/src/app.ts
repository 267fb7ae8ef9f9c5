import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { ConfigError, type FrozenConfig, type Logger } from '@sleuth/core';
import type { IngestQueue } from '@sleuth/pipeline/queue';
import type { Store } from '@sleuth/store';
import { AgentTokens, ReplayGuard } from './agents';
import { TopologySource, type Investigator } from '@sleuth/analyze';
import { ClusterRegistry } from './clusters';
import { IncidentFeed } from './incident-feed';
import type { ServerMetrics } from './metrics';
import { registerErrorHandler } from './plugins/error-handler';
import { registerStrictSchemas } from './plugins/strict-schemas';
import { ChatService } from './chat/chat-service';
import { Investigations } from './chat/investigations';
import { createInvestigator } from './llm-setup';
import { AlertService } from './alerts/alert-service';
import { AlertResourceResolver } from './alerts/resources';
import { NotificationSender } from './alerts/notification-sender';
import { Notifier } from './alerts/notifier';
import { IncidentPipeline } from './incident-pipeline';
import { storeContextOptions } from './prometheus-setup';
import { alertRoutes } from './routes/alerts';
import { fixRoutes } from './routes/fixes';
import { FixService } from './remediation/fix-service';
import { remediationSettings } from './remediation/settings';
import { agentRoutes } from './routes/agents';
import { chatRoutes, ownerOf } from './routes/chat';
import type { Principal } from './auth/principal';
import { ScopeViews } from './auth/scope-views';
import { analysisRoutes } from './routes/analysis';
import { clusterRoutes } from './routes/clusters';
import { healthRoutes } from './routes/health';
import { incidentStreamRoutes } from './routes/incident-stream';
import { kubernetesRoutes } from './routes/kubernetes';
import { logTemplateRoutes } from './routes/log-templates';
import { otlpRoutes } from './routes/otlp';
import { remoteWriteRoutes } from './routes/remote-write';
import { signalRoutes } from './routes/signals';
import { settingsRoutes } from './routes/settings';
import { simulatorRoutes, type SimulatorControl } from './routes/simulator';
import { statusRoutes, type StatusDeps } from './routes/status';
import { topologyRoutes } from './routes/topology';
import { WebUi } from './routes/ui';
import { authRoutes } from './routes/auth';
import { AuthService } from './auth/auth-service';
import { registerGate } from './auth/gate';
import { OidcSignIn } from './auth/oidc';

export interface AppDeps {
  config: FrozenConfig;
  store: Store;
  queue: IngestQueue;
  metrics: ServerMetrics;
  logger: Logger;
  /** Returns the simulated fleet when it runs in this process (it starts after the server listens). */
  simulator?: () => SimulatorControl | undefined;
  /** The clusters heard from; a new, empty registry when not given. */
  clusters?: ClusterRegistry;
  /** Detection's progress for /api/v1/status, when detection runs. */
  detection?: StatusDeps['detection'];
  /** Incident changes for the live stream; a feed nothing publishes to when not given. */
  incidentFeed?: IncidentFeed;
  /** The LLM investigator; built from `config.llm` when not given. */
  investigator?: Investigator;
  /**
   * Where anomalies become incidents (alerts go there too); one of the app's own, writing to the
   * store and the feed, when not given.
   */
  incidents?: IncidentPipeline;
  /** The simulated fleet's GitOps repository, used for fixes when `remediation.repo.url` is unset. */
  demoRepo?: string;
  /** The built web UI; `ui/dist` of this checkout when not given. */
  uiDistDir?: string;
  /** Users, tokens, sessions and the audit log; opened in `store.dataDir` when not given (closed with the app). */
  auth?: AuthService;
  /** Where the app's own AuthService keeps auth.sqlite: `store.dataDir` when not given, `:memory:` in tests. */
  authDataDir?: string;
}

/** How often firing alerts that were not delivered again for `alerts.staleAfterHours` are ended. */
const EXPIRE_EVERY_MS = 10 * 60_000;

/** Sleuth's URL for links: `alerts.publicUrl`, else the address it listens on. */
function publicUrl(config: FrozenConfig, app: FastifyInstance): string {
  if (config.alerts.publicUrl) return config.alerts.publicUrl.replace(/\/$/, '');
  const a = app.server.address();
  const port = typeof a === 'object' && a ? a.port : config.server.port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  return `http://${host}:${port}`;
}

/**
 * Builds the HTTP application without listening, so tests drive it with `inject()` and the
 * composition root (serve.ts) decides where it listens.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, store, queue, metrics, logger } = deps;
  const clusters = deps.clusters ?? new ClusterRegistry();
  const tokensFile = config.ingest.agentTokensFile;
  if (tokensFile === undefined && !config.ingest.allowAnonymous) {
    throw new ConfigError(
      'ingest.allowAnonymous is false but ingest.agentTokensFile is not set: nobody could send data',
      { key: 'ingest.allowAnonymous' },
    );
  }
  const agentTokens = tokensFile === undefined ? undefined : AgentTokens.load(tokensFile, logger);
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance,
    // Per-request access logs would drown the server's own log under OTLP traffic; errors are
    // still logged by the error handler and request rates are in /metrics.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    trustProxy: config.server.trustProxy,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const ui = new WebUi(deps.uiDistDir);
  registerErrorHandler(app, ui.fallback);
  const auth =
    deps.auth ?? new AuthService(config, logger, Date.now, deps.authDataDir ?? config.store.dataDir);
  if (!deps.auth) app.addHook('onClose', () => auth.close());
  // Before any route: every route is checked for its declared access as it is added.
  registerGate(app, auth);
  registerStrictSchemas(app, '/api/');
  const oidc = await OidcSignIn.create(config, auth.users, auth.audit, logger);

  app.addHook('onResponse', (req, reply, done) => {
    const seconds = reply.elapsedTime / 1000;
    metrics.httpRequestSeconds.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', code: String(reply.statusCode) },
      seconds,
    );
    if (reply.statusCode >= 500 || seconds > 1) {
      req.log.warn(
        { method: req.method, url: req.url, status: reply.statusCode, seconds },
        'slow or failed request',
      );
    }
    done();
  });

  metrics.queueCapacity.set(config.ingest.queueMaxRecords);
  const queryDeps = { store, metrics };
  // How analyzers read beyond the store (a configured Prometheus).
  const analysis = storeContextOptions(config, logger);
  const topology = new TopologySource(store);
  const investigator = deps.investigator ?? createInvestigator(config, store, topology);
  const chat = new ChatService({ store, topology, investigator, analysis });
  // What a scoped principal reads through: its store view, a topology built from it, an
  // investigator whose tools read only that (no Prometheus: PromQL cannot be scoped), and its own
  // investigations. Its chat shows only the conversations it started.
  const views = new ScopeViews({ store, investigator, logger });
  const chatFor = (p: Principal | undefined): ChatService => {
    const view = views.of(p);
    if (!view) return chat;
    return new ChatService({
      store: view.store,
      topology: view.topology,
      investigator: view.investigator,
      owner: ownerOf(p) ?? '',
    });
  };
  const investigations = new Investigations({
    store,
    investigator,
    logger,
    autoSeverity: config.llm.autoInvestigate,
  });
  const feed = deps.incidentFeed ?? new IncidentFeed(logger);
  const unsubscribe = feed.subscribe((n) => investigations.onNotice(n));
  // Diagnoses go where people look: Slack and webhooks, with retries and recorded delivery.
  const channels = config.alerts.notifications;
  const sender = new NotificationSender(channels, store, logger, metrics);
  const notifier = new Notifier({
    channels,
    store,
    sender,
    incidentUrl: (id) => `${publicUrl(config, app)}/api/v1/incidents/${id}`,
    logger,
  });
  const unsubscribeNotifier = feed.subscribe((n) => notifier.onNotice(n));
  // Fixes as branches and pull requests of the GitOps repository, some opened by policy.
  const fixes = new FixService({
    store,
    settings: remediationSettings(config, deps.demoRepo),
    logger,
    incidentUrl: (id) => `${publicUrl(config, app)}/api/v1/incidents/${id}`,
  });
  const unsubscribeFixes = feed.subscribe((n) => fixes.onNotice(n));
  await sender.resume();
  let incidents = deps.incidents;
  if (!incidents) {
    incidents = new IncidentPipeline(store, logger, Date.now, analysis);
    incidents.onIncidentWritten((after, before) => feed.publish(after, before));
    await incidents.start();
  }
  const alerts = new AlertService({
    store,
    incidents,
    resolver: new AlertResourceResolver(store, (cluster) => topology.graph(cluster)),
    knownClusters: () => clusters.list().map((c) => c.name),
    logger,
    metrics,
    maxPendingAlerts: config.alerts.maxPendingAlerts,
    staleAfterMs: config.alerts.staleAfterHours * 3_600_000,
  });
  await alerts.restore();
  const expiry = setInterval(() => {
    alerts.expireStale().catch((err: unknown) => logger.error({ err }, 'ending stale alerts failed'));
  }, EXPIRE_EVERY_MS);
  expiry.unref();
  app.addHook('onClose', async () => {
    clearInterval(expiry);
    unsubscribe();
    unsubscribeNotifier();
    unsubscribeFixes();
    fixes.stop();
    notifier.stop();
    sender.stop();
    investigations.stop();
    views.stop();
    await alerts.idle();
    await fixes.idle();
  });
  await app.register(
    otlpRoutes({ config, queue, metrics, clusters, agentTokens, replays: new ReplayGuard() }),
  );
  await app.register(remoteWriteRoutes({ config, queue, metrics, clusters }));
  await app.register(agentRoutes({ clusters, agentTokens }));
  await app.register(healthRoutes({ store, queue, metrics, queueCapacity: config.ingest.queueMaxRecords }));
  await app.register(ui.routes());
  await app.register(
    (api: FastifyInstance) => {
      void api.register(signalRoutes(queryDeps));
      void api.register(logTemplateRoutes(queryDeps));
      void api.register(kubernetesRoutes(queryDeps));
      void api.register(analysisRoutes({ ...queryDeps, topology, analysis, views }));
      void api.register(incidentStreamRoutes({ feed, store }));
      void api.register(clusterRoutes(clusters));
      void api.register(topologyRoutes({ topology, metrics, views }));
      void api.register(
        statusRoutes({
          store,
          queue,
          config,
          views,
          startedMs: Date.now(),
          ...(deps.detection ? { detection: deps.detection } : {}),
        }),
      );
      void api.register(simulatorRoutes(deps.simulator ?? (() => undefined)));
      void api.register(chatRoutes({ chat, chatFor, investigations, views }));
      void api.register(alertRoutes({ config, store, alerts }));
      void api.register(fixRoutes({ store, fixes }));
      void api.register(settingsRoutes({ config, demoRepo: deps.demoRepo }));
      void api.register(authRoutes({ config, auth, ...(oidc ? { oidc } : {}) }));
    },
    { prefix: '/api/v1' },
  );
  return app;
}

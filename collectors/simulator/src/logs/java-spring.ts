import { isoTime } from '../clock';
import type { DependencyFailure, LogContext, LogDialect, LogLine, RequestLog } from './dialect';
import { offsets } from './dialect';

type Level = 'info' | 'warn' | 'error';

/** Spring Boot 3's console format: `2024-05-01T12:00:00.123Z  INFO 1 --- [app] [thread] logger : msg`. */
function spring(
  ctx: LogContext,
  level: Level,
  thread: string,
  logger: string,
  msg: string,
  offsetMs = 0,
): LogLine {
  const lvl = level === 'info' ? 'INFO' : level === 'warn' ? 'WARN' : 'ERROR';
  const head = `${isoTime(ctx.atMs + offsetMs)} ${lvl.padStart(5)} 1 --- [${ctx.spec.name}] [${thread.padStart(15)}]`;
  return { severity: level, stream: 'stdout', body: `${head} ${logger.padEnd(40)} : ${msg}`, offsetMs };
}

const APP = 'c.e.payments.charge.ChargeService';
const DISPATCHER = 'o.a.c.c.C.[.[.[/].[dispatcherServlet]';

function rootCause(failure: DependencyFailure): string[] {
  const { target } = failure;
  if (target.kind === 'postgres' && failure.kind === 'refused') {
    return [
      `org.postgresql.util.PSQLException: Connection to ${target.host}:${target.port} refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.`,
      '\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:346)',
      '\tat org.postgresql.core.ConnectionFactory.openConnection(ConnectionFactory.java:54)',
      '\tat org.postgresql.jdbc.PgConnection.<init>(PgConnection.java:273)',
      '\tat org.postgresql.Driver.makeConnection(Driver.java:446)',
      '\tat org.postgresql.Driver.connect(Driver.java:298)',
      '\tat com.zaxxer.hikari.util.DriverDataSource.getConnection(DriverDataSource.java:137)',
      '\tat com.zaxxer.hikari.pool.PoolBase.newConnection(PoolBase.java:360)',
      '\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:162)',
      '\tat com.example.payments.charge.ChargeRepository.insert(ChargeRepository.java:58)',
      '\tat com.example.payments.charge.ChargeService.authorize(ChargeService.java:41)',
      '\tat com.example.payments.charge.ChargeController.create(ChargeController.java:33)',
      '\t... 48 common frames omitted',
      'Caused by: java.net.ConnectException: Connection refused',
      '\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)',
      '\tat java.base/sun.nio.ch.Net.pollConnectNow(Net.java:682)',
      '\tat java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:542)',
      '\tat java.base/sun.nio.ch.NioSocketImpl.connect(NioSocketImpl.java:592)',
      '\tat java.base/java.net.Socket.connect(Socket.java:751)',
      '\tat org.postgresql.core.PGStream.createSocket(PGStream.java:243)',
      '\t... 22 common frames omitted',
    ];
  }
  if (failure.kind === 'timeout') {
    return [
      ...(target.kind === 'postgres'
        ? ['org.postgresql.util.PSQLException: The connection attempt failed.']
        : []),
      'java.net.SocketTimeoutException: Connect timed out',
      '\tat java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:546)',
      '\tat java.base/sun.nio.ch.NioSocketImpl.connect(NioSocketImpl.java:592)',
      '\tat java.base/java.net.Socket.connect(Socket.java:751)',
      '\tat com.example.payments.charge.ChargeService.authorize(ChargeService.java:41)',
      '\tat com.example.payments.charge.ChargeController.create(ChargeController.java:33)',
    ];
  }
  const what =
    failure.kind === 'status'
      ? `java.io.IOException: ${target.host}:${target.port} answered HTTP ${failure.status}`
      : failure.kind === 'reset'
        ? 'java.net.SocketException: Connection reset'
        : `java.net.ConnectException: Connection refused (${target.host}:${target.port})`;
  return [
    what,
    '\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:318)',
    '\tat com.example.payments.charge.ChargeService.authorize(ChargeService.java:41)',
    '\tat com.example.payments.charge.ChargeController.create(ChargeController.java:33)',
  ];
}

function appErrorEntry(ctx: LogContext, req: RequestLog, e: NonNullable<RequestLog['appError']>): LogLine {
  const thread = `nio-8080-exec-${ctx.rng.int(1, 10)}`;
  const error = spring(
    ctx,
    'error',
    thread,
    DISPATCHER,
    `Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed: ${e.type}: ${e.message}] with root cause`,
    req.durationMs,
  );
  error.body = `${error.body}\n\n${[`${e.type}: ${e.message}`, ...e.frames].join('\n')}`;
  return error;
}

function failureEntry(ctx: LogContext, req: RequestLog, failure: DependencyFailure): LogLine[] {
  const thread = `nio-8080-exec-${ctx.rng.int(1, 10)}`;
  const head =
    failure.target.kind === 'postgres'
      ? 'Request processing failed: org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection'
      : 'Request processing failed: org.springframework.web.client.ResourceAccessException: I/O error';
  const warn = spring(
    ctx,
    'warn',
    thread,
    'com.zaxxer.hikari.pool.HikariPool',
    `HikariPool-1 - Connection is not available, request timed out after 2000ms (total=0, active=0, idle=0, waiting=${ctx.rng.int(0, 6)})`,
    req.durationMs * 0.95,
  );
  const error = spring(
    ctx,
    'error',
    thread,
    DISPATCHER,
    `Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [${head}] with root cause`,
    req.durationMs,
  );
  error.body = `${error.body}\n\n${rootCause(failure).join('\n')}`;
  return failure.target.kind === 'postgres' ? [warn, error] : [error];
}

/** Java 21 / Spring Boot 3 with Logback's default console pattern. */
export const javaDialect: LogDialect = {
  startup: (ctx) => {
    const main = (msg: string, logger: string, offset: number): LogLine =>
      spring(ctx, 'info', 'main', logger, msg, offset);
    return [
      main(
        `Starting PaymentsApplication v${ctx.version} using Java 21.0.2 with PID 1 (/app/app.jar started by app in /app)`,
        'c.e.payments.PaymentsApplication',
        900,
      ),
      main('The following 1 profile is active: "prod"', 'c.e.payments.PaymentsApplication', 950),
      main('Tomcat initialized with port 8080 (http)', 'o.s.b.w.embedded.tomcat.TomcatWebServer', 4200),
      main('HikariPool-1 - Starting...', 'com.zaxxer.hikari.HikariDataSource', 7800),
      main(
        `HikariPool-1 - Added connection org.postgresql.jdbc.PgConnection@${ctx.rng.hex(8)}`,
        'com.zaxxer.hikari.pool.HikariPool',
        8100,
      ),
      main('HikariPool-1 - Start completed.', 'com.zaxxer.hikari.HikariDataSource', 8150),
      main(
        "Tomcat started on port 8080 (http) with context path ''",
        'o.s.b.w.embedded.tomcat.TomcatWebServer',
        12_400,
      ),
      main(
        `Started PaymentsApplication in 12.84 seconds (process running for 13.9)`,
        'c.e.payments.PaymentsApplication',
        12_500,
      ),
    ];
  },
  missingEnv: (ctx, variable) => {
    const line = spring(ctx, 'error', 'main', 'o.s.boot.SpringApplication', 'Application run failed', 3100);
    line.body = [
      line.body,
      '',
      `java.lang.IllegalStateException: required environment variable ${variable} is not set`,
      '\tat com.example.payments.config.DataSourceConfig.requireEnv(DataSourceConfig.java:31)',
      '\tat com.example.payments.config.DataSourceConfig.dataSource(DataSourceConfig.java:22)',
      '\tat org.springframework.beans.factory.support.SimpleInstantiationStrategy.instantiate(SimpleInstantiationStrategy.java:140)',
      '\tat org.springframework.boot.SpringApplication.refreshContext(SpringApplication.java:456)',
      '\tat org.springframework.boot.SpringApplication.run(SpringApplication.java:335)',
      '\tat com.example.payments.PaymentsApplication.main(PaymentsApplication.java:12)',
    ].join('\n');
    return [
      spring(
        ctx,
        'info',
        'main',
        'c.e.payments.PaymentsApplication',
        `Starting PaymentsApplication v${ctx.version} using Java 21.0.2 with PID 1`,
        900,
      ),
      line,
    ];
  },
  shutdown: (ctx) => [
    spring(
      ctx,
      'info',
      'ionShutdownHook',
      'o.s.b.w.e.tomcat.GracefulShutdown',
      'Commencing graceful shutdown. Waiting for active requests to complete',
    ),
    spring(
      ctx,
      'info',
      'tomcat-shutdown',
      'o.s.b.w.e.tomcat.GracefulShutdown',
      'Graceful shutdown complete',
      200,
    ),
    spring(
      ctx,
      'info',
      'ionShutdownHook',
      'com.zaxxer.hikari.HikariDataSource',
      'HikariPool-1 - Shutdown completed.',
      260,
    ),
  ],
  request: (ctx, req) => {
    if (req.failure) return failureEntry(ctx, req, req.failure);
    if (req.appError) return [appErrorEntry(ctx, req, req.appError)];
    const amount = (ctx.rng.int(500, 25_000) / 100).toFixed(2);
    const thread = `nio-8080-exec-${ctx.rng.int(1, 10)}`;
    if (req.status === 402) {
      const reason = ctx.rng.pick([
        'card_declined (issuer response 05)',
        'insufficient_funds (issuer response 51)',
        'expired_card (issuer response 54)',
      ]);
      return [
        spring(
          ctx,
          'warn',
          thread,
          APP,
          `Charge declined for order ord_${req.requestId.slice(0, 10)} (amount=${amount} EUR): ${reason}`,
          req.durationMs,
        ),
      ];
    }
    const msg = `Charge ch_${ctx.rng.hex(12)} authorized for order ord_${req.requestId.slice(0, 10)} (amount=${amount} EUR, ${Math.round(req.durationMs)} ms)`;
    return [spring(ctx, req.durationMs > 1500 ? 'warn' : 'info', thread, APP, msg, req.durationMs)];
  },
  benignWarning: (ctx, o) =>
    spring(
      ctx,
      'warn',
      `http-nio-8080-exec-${ctx.rng.int(1, 40)}`,
      'c.e.payments.api.ApiVersionFilter',
      `Deprecated header X-Api-Version: 1 sent by 10.${ctx.rng.int(0, 255)}.${ctx.rng.int(100, 110)}.${ctx.rng.int(2, 250)}; support ends in 6.0, send Accept-Version instead`,
      o,
    ),
  background: (ctx, seconds) =>
    offsets(ctx, 1 / 600, seconds).map((o) =>
      spring(
        ctx,
        'warn',
        'pool-1 housekeeper',
        'com.zaxxer.hikari.pool.HikariPool',
        `HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=${ctx.rng.int(31, 75)}s).`,
        o,
      ),
    ),
};

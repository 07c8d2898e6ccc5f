import t from 'tap';
import { ConfigError } from '../common/config.js';
import { describeStartupError, reportStartupFailure } from './startup-errors.js';

const systemError = (code: string, fields: Record<string, string | number>): Error =>
  Object.assign(new Error(`${code}: raw`), { code, ...fields });

t.test('system errors read as one line naming the path or address', async (t) => {
  t.equal(
    describeStartupError(systemError('EROFS', { syscall: 'open', path: '/data/.lock' })),
    'cannot open /data/.lock: read-only file system (EROFS)',
  );
  t.equal(
    describeStartupError(systemError('EACCES', { syscall: 'mkdir', path: '/var/lib/gregor' })),
    'cannot mkdir /var/lib/gregor: permission denied (EACCES)',
  );
  t.equal(
    describeStartupError(systemError('EADDRINUSE', { syscall: 'listen', address: '127.0.0.1', port: 9092 })),
    'Socket server failed to bind to 127.0.0.1:9092: Address already in use.',
    "Kafka's SocketServer message, with Java's SocketException text",
  );
  t.equal(
    describeStartupError(systemError('EACCES', { syscall: 'listen', address: '0.0.0.0', port: 80 })),
    'Socket server failed to bind to 0.0.0.0:80: Permission denied.',
  );
  t.equal(
    describeStartupError(systemError('EADDRNOTAVAIL', { syscall: 'listen', address: '10.9.9.9', port: 9092 })),
    'Socket server failed to bind to 10.9.9.9:9092: Cannot assign requested address.',
  );
  t.equal(describeStartupError(new ConfigError('invalid value for x')), 'invalid value for x');
  t.equal(describeStartupError('plain'), 'plain');
});

t.test('the stack only with GREGOR_LOG_LEVEL=debug', async (t) => {
  const out: string[] = [];
  reportStartupFailure(new Error('boom'), { GREGOR_LOG_LEVEL: 'info' }, (l) => out.push(l));
  t.same(out, ['gregor: start-up failed: boom']);
  out.length = 0;
  reportStartupFailure(new Error('boom'), { GREGOR_LOG_LEVEL: 'debug' }, (l) => out.push(l));
  t.equal(out.length, 2);
  t.match(out[1], /at /);
});

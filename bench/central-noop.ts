/**
 * The ceiling for the central benchmark: a fastify route that does nothing but read the JSON
 * body and answer, in its own process, as the service runs. Prints its port once listening.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
app.post('/v1/usage', async () => ({ ok: true }));
app.post('/v1/usage/batch', async () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));

// The chain service of a running hub, found from its AppContext by the REST routes (the context
// is built before the service, which needs the web server's Socket.IO).
import type { AppContext } from '../context';
import type { ChainService } from './service';

const services = new WeakMap<AppContext, ChainService>();

export function registerChainService(ctx: AppContext, service: ChainService | null): void {
  if (service === null) services.delete(ctx);
  else services.set(ctx, service);
}

export function chainServiceOf(ctx: AppContext): ChainService | null {
  return services.get(ctx) ?? null;
}

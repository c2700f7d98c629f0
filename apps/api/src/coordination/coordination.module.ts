import { Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { AppConfig } from '@api/config/app-config.js';
import { Coordination } from './coordination.port.js';
import { InProcessCoordination } from './in-process.coordination.js';
import { RedisCoordination } from './redis.coordination.js';
import { SocketServer } from './socket-server.js';

@Global()
@Module({
  providers: [
    {
      provide: Coordination,
      inject: [AppConfig],
      useFactory: (config: AppConfig): Promise<Coordination> | Coordination =>
        config.env.REDIS_URL ? RedisCoordination.connect(config.env.REDIS_URL, config.env.REDIS_KEY_PREFIX) : new InProcessCoordination(),
    },
    {
      provide: SocketServer,
      inject: [HttpAdapterHost, Coordination],
      useFactory: (host: HttpAdapterHost, coordination: Coordination) => SocketServer.attach(host.httpAdapter.getHttpServer(), coordination),
    },
  ],
  exports: [Coordination, SocketServer],
})
export class CoordinationModule implements OnApplicationShutdown {
  constructor(private readonly moduleRef: ModuleRef) {}

  async onApplicationShutdown(): Promise<void> {
    await this.moduleRef.get(SocketServer).close();
    await this.moduleRef.get(Coordination).close();
  }
}

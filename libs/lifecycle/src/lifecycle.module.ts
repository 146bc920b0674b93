import { DynamicModule, Global, Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { HealthRegistry } from './health-registry';

/** Health and metrics endpoints, and the registry services add their readiness checks to. */
@Global()
@Module({})
export class LifecycleModule {
  static forRoot(): DynamicModule {
    return {
      module: LifecycleModule,
      controllers: [HealthController],
      providers: [{ provide: HealthRegistry, useValue: new HealthRegistry() }],
      exports: [HealthRegistry],
    };
  }
}

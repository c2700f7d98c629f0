import { Global, Module } from '@nestjs/common';
import { DashboardAssets } from './dashboard-assets.js';
import { DashboardController } from './dashboard.controller.js';

@Global()
@Module({ controllers: [DashboardController], providers: [DashboardAssets], exports: [DashboardAssets] })
export class DashboardModule {}

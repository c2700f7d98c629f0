import { createApp } from './create-app.js';
import { AppConfig, ConfigError } from './config/app-config.js';
import { printBanner } from './banner.js';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = AppConfig.fromEnv(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp({ config });
  await app.listen(config.env.PORT, config.env.HOST);
  printBanner(app, config);
}

main().catch((error: Error) => {
  console.error(`Threadline failed to start: ${error.message}`);
  process.exit(1);
});

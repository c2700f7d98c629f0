import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@api/config/app-config.js';
import { GitHubClient } from './github/github.client.js';
import { githubTools } from './github/github.tools.js';
import { ToolPolicy } from './tool-policy.js';
import { ToolRegistry } from './tool-registry.js';

const USER_AGENT = 'threadline-gateway';

/** Tools, their policy and the GitHub client, all chosen from config when the app starts. */
@Global()
@Module({
  providers: [
    { provide: ToolPolicy, useFactory: (config: AppConfig) => ToolPolicy.fromEnv(config.env), inject: [AppConfig] },
    {
      provide: GitHubClient,
      useFactory: ({ env }: AppConfig) =>
        new GitHubClient({
          baseUrl: env.GITHUB_API_URL,
          token: env.GITHUB_TOKEN,
          timeoutMs: env.GITHUB_TIMEOUT_MS,
          // Room for the JSON around the text stays inside the registry's cap.
          maxContentChars: Math.max(200, env.TOOL_RESULT_MAX_CHARS - 500),
          userAgent: USER_AGENT,
        }),
      inject: [AppConfig],
    },
    {
      provide: ToolRegistry,
      useFactory: ({ env }: AppConfig, policy: ToolPolicy, github: GitHubClient) => {
        const registry = new ToolRegistry(policy, { maxCallsPerRound: env.TOOL_MAX_CALLS_PER_ROUND, maxResultChars: env.TOOL_RESULT_MAX_CHARS });
        for (const tool of githubTools(github)) registry.register(tool);
        return registry;
      },
      inject: [AppConfig, ToolPolicy, GitHubClient],
    },
  ],
  exports: [ToolRegistry, ToolPolicy],
})
export class ToolsModule {}

export {
  FakeOpenAI,
  echoResponder,
  estimatePromptTokens,
  type FakeChatRequest,
  type FakeOpenAIOptions,
  type FakeReply,
  type FakeResponder,
  type FakeToolCall,
  type FakeUsage,
} from './fake-openai.js';
export { listenOnFreePort } from './free-port.js';
export { FakeGitHub, type FakeGitHubCall, type FakeGitHubFailure, type FakeGitHubOptions, type FakeRepo } from './fake-github.js';

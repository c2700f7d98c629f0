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

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
export { FakeSlack, type FakeSlackCall, type FakeSlackFailure, type FakeSlackMessage, type FakeSlackOptions } from './fake-slack.js';
export { FakeGraph, type FakeGraphCall, type FakeGraphFailure, type FakeGraphOptions } from './fake-graph.js';
export {
  messengerMessaging,
  messengerPayload,
  signMetaRequest,
  signSlackRequest,
  slackEventEnvelope,
  slackMessageEvent,
  slackTs,
  slackUrlVerification,
  waitUntil,
  whatsappMessage,
  whatsappPayload,
  type MessengerMessageInput,
  type SlackEnvelopeInput,
  type SlackMessageInput,
  type WhatsAppMessageInput,
} from './channel-fixtures.js';
export { defaultApiEntry, freePort, startApiProcess, type ApiProcess, type ApiProcessOptions } from './api-process.js';
export {
  newApiKey,
  integratorHistory,
  openChatSocket,
  newWebSession,
  socketConnected,
  socketTurn,
  sseTurn,
  webHistory,
  webTurn,
  type ChatSocket,
  type Integrator,
  type Outcome,
  type WebSession,
} from './chat-clients.js';
export { threadViolations, type InvariantOptions, type SentTurn, type StoredMessage } from './thread-invariants.js';
export { privateServersMissing, startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from './private-servers.js';
export { runSoak, seededRandom, type SoakOptions, type SoakReport } from './soak.js';
export type { SoakChannel } from './soak-conversations.js';
export { inspectProcess, type InspectedProcess, type MemorySample } from './process-memory.js';
export { deleteKeys, provisionSharedStore, type SharedStore } from './shared-store.js';

export { repoRoot } from './repo-root';
export { eventually } from './eventually';
export { testInfrastructure, tcpAnswers, START_COMMANDS } from './test-infrastructure';
export type { TestInfrastructure } from './test-infrastructure';
export { createTestDatabase } from './test-database';
export type { TestDatabase } from './test-database';
export { freePort } from './free-port';
export { startServiceProcess } from './service-process';
export type { ServiceProcess, ServiceName } from './service-process';
export { SERVICE_START_ORDER, startStack } from './local-stack';
export { startInProcess } from './in-process-service';
export type { InProcessService } from './in-process-service';
export type { Stack, StackOptions } from './local-stack';
export { startFakeLlm } from './fake-llm/fake-llm';
export type {
  FakeEmbeddingFailure,
  FakeLlm,
  FakeLlmFailure,
  FakeLlmSettings,
  FakeLlmStats,
} from './fake-llm/fake-llm';
export {
  embeddingFromBase64,
  embeddingToBase64,
  fakeEmbedding,
  fakeEmbeddingDimension,
  fakeRerank,
} from './fake-llm/fake-embeddings';
export { startLdapServer, ensureSlapdInstalled } from './ldap-server';
export type { LdapServer, LdapDirectoryUser } from './ldap-server';
export { startOidcProvider } from './oidc-provider';
export type { OidcTestProvider } from './oidc-provider';
export { startPrivateRedis, startRedisWithSentinel } from './redis-sentinel';
export type { PrivateRedis, RedisWithSentinel } from './redis-sentinel';
export { ensureChromiumInstalled, launchBrowser, screenshotPath } from './browser';
export {
  TEST_CALLER_SECRET,
  testCallerSigning,
  testCallerVerifier,
  userCaller,
  serviceCaller,
} from './test-callers';
export { createTestCa } from './test-certificates';
export type { TestCa, TestCertificateFiles } from './test-certificates';
export { startS3Server } from './s3-server';
export { startVectorStore } from './vector-store';
export type { VectorStore, VectorStoreOptions } from './vector-store';
export type { S3TestServer } from './s3-server';
export { docxWithParagraphs, pdfWithPages, pptxWithSlides, xlsxWithRows } from './document-fixtures';

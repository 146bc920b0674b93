// Lists the models, creates a chat, streams an answer into it and prints the deltas as they come.
//
//   PARLEY_API_KEY=sk-... [PARLEY_GRPC_URL=127.0.0.1:50050] [PARLEY_MODEL=gpt-4o] \
//     node dist/libs/api-client/examples/stream-into-chat.js "Why is the sky blue?"
//
// The chat then shows up in the web app with the question and the answer. Exit code 1 on a failed call,
// with the gRPC status and the server's reason.
// eslint-disable-next-line @nx/enforce-module-boundaries -- imported by its package name, as a user's code would
import { chats, createParleyClient, ParleyApiError } from '@parley/api-client';

async function main(): Promise<void> {
  const apiKey = process.env.PARLEY_API_KEY;
  if (!apiKey) throw new Error('Set PARLEY_API_KEY to an API key (Settings > Account > API keys).');
  const client = createParleyClient({ url: process.env.PARLEY_GRPC_URL ?? '127.0.0.1:50050', apiKey });
  const prompt = process.argv[2] ?? 'Say hello in five words.';
  try {
    const { models } = await client.models.listModels({});
    console.log(`models: ${models.map((m) => m.id).join(', ')}`);
    const model = process.env.PARLEY_MODEL ?? models[0]?.id;
    if (!model) throw new Error('No model to use: connect a model server first.');

    const { chat } = await client.chats.createChat({ title: 'From the API client example' });
    console.log(`chat: ${chat!.id}`);

    const stream = client.completions.streamCompletion({
      model,
      chatId: chat!.id,
      messages: [{ role: chats.Role.USER, content: prompt }],
    });
    for await (const response of stream) {
      if (response.delta) console.log(`delta: ${JSON.stringify(response.delta)}`);
      if (response.done)
        console.log(
          `done: ${response.finishReason || 'stop'}, ${response.usage?.totalTokens ?? 0} tokens, message ${response.messageId}`,
        );
    }
  } finally {
    client.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof ParleyApiError)
    console.error(`failed: ${error.codeName} ${error.reason ?? ''} ${error.details}`);
  else console.error(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

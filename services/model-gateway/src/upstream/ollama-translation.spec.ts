import { fromOllamaCompletion, OllamaStreamTranslator, toOllamaChatRequest } from './ollama-translation';

describe('Ollama translation', () => {
  it('maps OpenAI parameters to Ollama options and flattens content parts with images', () => {
    const sut = toOllamaChatRequest(
      {
        model: 'local.llama3',
        temperature: 0.2,
        max_tokens: 50,
        stop: 'END',
        seed: 7,
        messages: [
          { role: 'system', content: 'be brief' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is this?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            ],
          },
        ],
      },
      'llama3',
      true,
    );
    expect(sut).toEqual({
      model: 'llama3',
      stream: true,
      options: { temperature: 0.2, num_predict: 50, stop: ['END'], seed: 7 },
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'what is this?', images: ['AAAA'] },
      ],
    });
  });

  it('turns a finished Ollama answer into a chat.completion with usage', () => {
    expect(
      fromOllamaCompletion(
        {
          message: { role: 'assistant', content: 'Hi' },
          done: true,
          done_reason: 'length',
          prompt_eval_count: 3,
          eval_count: 1,
        },
        'm',
        'chatcmpl-1',
        5,
      ),
    ).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 5,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'length' }],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
    });
  });

  it('streams: role on the first chunk, finish_reason and usage on the last', () => {
    const sut = new OllamaStreamTranslator('m', 'id', 1);
    const first = sut.translate({ message: { content: 'He' }, done: false });
    const second = sut.translate({ message: { content: 'llo' }, done: false });
    const last = sut.translate({ message: { content: '' }, done: true, prompt_eval_count: 2, eval_count: 2 });
    expect(first.choices).toEqual([
      { index: 0, delta: { role: 'assistant', content: 'He' }, finish_reason: null },
    ]);
    expect(second.choices).toEqual([{ index: 0, delta: { content: 'llo' }, finish_reason: null }]);
    expect(last).toMatchObject({
      choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
      usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 },
    });
  });
});

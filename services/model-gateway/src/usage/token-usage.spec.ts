import { StreamUsageMeter, usageOfCompletion } from './token-usage';

describe('token usage', () => {
  const messages = [{ role: 'user', content: 'x'.repeat(40) }];

  it('takes the upstream usage of a completion when it has one', () => {
    const json = JSON.stringify({
      choices: [{ message: { content: 'hello' } }],
      usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
    });
    expect(usageOfCompletion(json, messages)).toEqual({
      promptTokens: 7,
      completionTokens: 3,
      estimated: false,
    });
  });

  it('estimates four characters per token when the upstream reports none', () => {
    const json = JSON.stringify({ choices: [{ message: { content: 'y'.repeat(9) } }] });
    expect(usageOfCompletion(json, messages)).toEqual({
      promptTokens: 10,
      completionTokens: 3,
      estimated: true,
    });
  });

  it('counts streamed text, and prefers a usage chunk when one comes', () => {
    const sut = new StreamUsageMeter(messages);
    sut.observe(JSON.stringify({ choices: [{ delta: { content: 'abcd' } }] }));
    sut.observe(JSON.stringify({ choices: [{ delta: { content: 'efgh' } }] }));
    expect(sut.result()).toEqual({ promptTokens: 10, completionTokens: 2, estimated: true });
    sut.observe(JSON.stringify({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 2 } }));
    expect(sut.result()).toEqual({ promptTokens: 5, completionTokens: 2, estimated: false });
  });
});

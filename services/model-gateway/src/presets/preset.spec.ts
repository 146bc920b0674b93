import { applyPreset, Preset, validatePresetInput } from './preset';

const preset = (over: Partial<Preset> = {}): Preset => ({
  id: 'tutor',
  userId: 'u1',
  baseModelId: 'gpt-fake',
  name: 'Tutor',
  description: '',
  systemPrompt: 'You are a patient tutor.',
  params: { temperature: 0.2, max_tokens: 50, stop: ['END'] },
  knowledgeIds: [],
  accessControl: null,
  isActive: true,
  meta: {},
  createdAt: new Date(),
  updatedAt: new Date(),
  ...over,
});

describe('applyPreset', () => {
  it('calls the base model with the preset params replacing the request ones and the system prompt first', () => {
    const sut = applyPreset(
      { model: 'tutor', temperature: 1, top_p: 0.5, messages: [{ role: 'user', content: 'hi' }] },
      preset(),
    );
    expect(sut).toEqual({
      model: 'gpt-fake',
      temperature: 0.2,
      top_p: 0.5,
      max_tokens: 50,
      stop: ['END'],
      messages: [
        { role: 'system', content: 'You are a patient tutor.' },
        { role: 'user', content: 'hi' },
      ],
    });
  });

  it('puts the preset system prompt before an existing leading system message', () => {
    const sut = applyPreset(
      {
        model: 'tutor',
        messages: [
          { role: 'system', content: 'Answer in German.' },
          { role: 'user', content: 'hi' },
        ],
      },
      preset({ params: {} }),
    );
    expect(sut.messages).toEqual([
      { role: 'system', content: 'You are a patient tutor.\nAnswer in German.' },
      { role: 'user', content: 'hi' },
    ]);
  });

  it('leaves messages alone when the preset has no system prompt', () => {
    const messages = [{ role: 'user', content: 'hi' }];
    expect(applyPreset({ model: 'tutor', messages }, preset({ systemPrompt: '' })).messages).toBe(messages);
  });
});

describe('validatePresetInput', () => {
  it.each([
    [{ id: 'bad id' }, /id must be/],
    [{ name: ' ' }, /name is required/],
    [{ baseModelId: 'tutor' }, /its own base model/],
    [{ params: { temperature: 3 } }, /temperature must be between 0 and 2/],
    [{ params: { top_p: -1 } }, /top_p/],
    [{ params: { max_tokens: 0 } }, /max_tokens/],
    [{ params: { stop: [''] } }, /stop/],
  ])('rejects %j', (over, message) => {
    expect(() => validatePresetInput(preset(over as Partial<Preset>))).toThrow(message);
  });

  it('accepts a complete preset', () => {
    expect(() => validatePresetInput(preset())).not.toThrow();
  });
});

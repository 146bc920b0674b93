import { startStack, type Stack } from '@parley/testing';
import { signUpsFrom, type SignedUp } from './support/http';
import { connectSocket, type RecordingSocket } from './support/sockets';

/**
 * An upload's extraction progress reaches its owner's sockets as `file:status` (the files service
 * publishes `file.status`, realtime forwards it to the owner's room), and nobody else's.
 */
describe('file:status on the owner’s sockets', () => {
  let stack: Stack;
  let alice: SignedUp;
  let bob: SignedUp;
  const sockets: RecordingSocket[] = [];

  beforeAll(async () => {
    stack = await startStack({
      copies: { auth: 1, files: 1, realtime: 1, gateway: 1 },
      env: { DEFAULT_USER_ROLE: 'user' },
    });
    const signUp = signUpsFrom('2001:db8:f5::');
    await signUp(stack.gatewayUrls[0]!, 'Admin');
    alice = await signUp(stack.gatewayUrls[0]!, 'Alice');
    bob = await signUp(stack.gatewayUrls[0]!, 'Bob');
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await stack?.stop();
  });

  it('tells the owner’s tab when the text is extracted, and not another user’s', async () => {
    const gateway = stack.gatewayUrls[0]!;
    const aliceTab = await connectSocket(gateway, alice.token);
    const bobTab = await connectSocket(gateway, bob.token);
    sockets.push(aliceTab, bobTab);
    const form = new FormData();
    form.append('file', new Blob(['notes for the status test'], { type: 'text/plain' }), 'notes.txt');
    const uploaded = await fetch(`${gateway}/api/v1/files/?process=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}` },
      body: form,
    });
    expect(uploaded.status).toBe(200);
    const { id } = (await uploaded.json()) as { id: string };

    const completed = () =>
      aliceTab.events.find(
        (e) =>
          e.name === 'file:status' &&
          (e.payload as { file_id?: string; status?: string }).file_id === id &&
          (e.payload as { status?: string }).status === 'FILE_PROCESSING_STATUS_COMPLETED',
      );
    for (let i = 0; i < 200 && !completed(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(completed()?.payload).toMatchObject({ v: 1, file_id: id, user_id: alice.id });
    // Bob's tab saw none of it (anything Bob would get has arrived by now: same copy, same room fan-out).
    expect(bobTab.events.filter((e) => e.name === 'file:status')).toEqual([]);
  });
});
